import { eventStoreContract } from './event-store.contract';
import { InMemoryEventStore } from './in-memory-event-store';

eventStoreContract('InMemoryEventStore', async () => {
  const store = new InMemoryEventStore();
  // a second writer shares the same storage through a handle of its own
  const handles: InMemoryEventStore[] = [store];
  const other = async (): Promise<InMemoryEventStore> => {
    const handle = store.handle();
    handles.push(handle);
    return handle;
  };
  return { store, other, close: async () => void (await Promise.all(handles.map((h) => h.close()))) };
});
