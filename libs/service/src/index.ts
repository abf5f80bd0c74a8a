export * from './config';
export * from './health-server';
export * from './logger';
export * from './shutdown';
export * from './run-service';
export * from './anomaly-reporter';
export * from './nats-connection';
