export * from './docker';
export * from './nats';
export * from './process';
export * from './agents';
export * from './eventually';
export * from './browser';
export * from './fault';
