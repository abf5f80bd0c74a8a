export * from './docker-engine';
export * from './private-dockerd';
export * from './tar-archive';
export * from './test-image';
