export * from './history-checker';
