export * from './nats-binary';
export * from './nats-server';
export * from './use-nats-server';
export * from './fake-info-server';
export * from './nats-cluster';
export * from './test-tls';
