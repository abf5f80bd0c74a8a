/** Injection tokens for the values createGatewayApp builds before Nest starts. */
export const READ_MODEL = Symbol('GatewayReadModel');
export const READ_VIEWS = Symbol('ReadViews');
export const COMMANDS = Symbol('CommandService');
export const GATEWAY_SETTINGS = Symbol('GatewaySettings');
export const HEALTH = Symbol('GatewayHealth');

export interface GatewaySettings {
  /** longest a query waits for `atLeastSequence` */
  readonly waitTimeoutMs: number;
}

export interface GatewayHealth {
  /** connected to NATS, the read model has caught up with the stream and a scheduler leader answers (commands would fail without one) */
  isReady(): boolean;
  metrics(): Promise<{ contentType: string; body: string }>;
}
