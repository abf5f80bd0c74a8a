export * from './errors';
export * from './event-store';
export * from './in-memory-event-store';
export * from './jetstream-event-store';
