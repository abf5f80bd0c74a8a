/** The part of a pino logger the agent's units use; tests pass `silentLogger`. */
export interface AgentLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

const noop = (): void => undefined;

export const silentLogger: AgentLogger = { debug: noop, info: noop, warn: noop, error: noop };
