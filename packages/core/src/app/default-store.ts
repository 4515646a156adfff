import type { TaskStore } from '../contracts/task-store.js';

interface MemoryModule {
  MemoryStore: new () => TaskStore;
}

/**
 * The embedded default. Loaded lazily so that core depends on nothing but reflect-metadata;
 * `@celeriac/memory` is an optional peer dependency.
 */
export async function loadMemoryStore(): Promise<TaskStore> {
  let memory: MemoryModule;
  try {
    memory = (await import('@celeriac/memory' as string)) as MemoryModule;
  } catch (error) {
    throw new Error('No store configured and @celeriac/memory is not installed: install it, or pass { store } to new Celeriac()', { cause: error });
  }
  return new memory.MemoryStore();
}
