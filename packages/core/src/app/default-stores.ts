import type { Broker } from '../contracts/broker.js';
import type { ResultBackend } from '../contracts/result-backend.js';
import type { Stores } from '../worker/worker.js';

interface MemoryModule {
  MemoryBroker: new () => Broker;
  MemoryBackend: new () => ResultBackend;
}

/**
 * The embedded default. Loaded lazily so that core depends on nothing but reflect-metadata;
 * `@celeriac/memory` is an optional peer dependency.
 */
export async function loadMemoryStores(): Promise<Stores> {
  let memory: MemoryModule;
  try {
    memory = (await import('@celeriac/memory' as string)) as MemoryModule;
  } catch (error) {
    throw new Error('No broker configured and @celeriac/memory is not installed: install it, or pass { broker, backend } to new Celeriac()', { cause: error });
  }
  return { broker: new memory.MemoryBroker(), backend: new memory.MemoryBackend() };
}
