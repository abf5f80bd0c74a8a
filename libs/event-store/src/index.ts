export * from './errors';
export * from './event-store';
export * from './in-memory-event-store';
export * from './jetstream-event-store';
export * from './decide-and-append';
export * from './event-mapping';
export * from './aggregate-projection';
export * from './stream-replicas';
