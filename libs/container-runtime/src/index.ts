export * from './container-runtime';
export * from './docker-runtime';
export * from './runtime-errors';
export * from './simulated-runtime';
export * from './simulation-timer';
