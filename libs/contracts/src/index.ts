export * from './command-request';
export * from './error-response';
export * from './event-envelope';
export * from './subject-token';
export * from './subjects';
export * from './agent-protocol';
export * from './scheduler-api';
