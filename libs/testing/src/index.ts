export * from './docker';
export * from './nats';
