import { eventStoreContract } from './event-store.contract';
import { InMemoryEventStore } from './in-memory-event-store';

eventStoreContract('InMemoryEventStore', async () => {
  const store = new InMemoryEventStore();
  // a second writer shares the same storage; in memory that is the same instance
  return { store, other: async () => store, close: () => store.close() };
});
