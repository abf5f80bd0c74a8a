export * from './docker';
