export * from './fake-agents';
