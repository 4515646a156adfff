import { backendConformance, brokerConformance } from '@celeriac/core/testing';
import type { Broker } from '@celeriac/core';
import { MemoryBackend, MemoryBroker } from '../src/index.js';

brokerConformance({
  name: 'memory',
  create: async () => new MemoryBroker(),
  injectRaw: async (broker: Broker, queue, raw) => (broker as MemoryBroker).injectRaw(queue, raw),
  createCombined: async () => ({ broker: new MemoryBroker(), backend: new MemoryBackend() }),
});

backendConformance({
  name: 'memory',
  create: async () => new MemoryBackend(),
});
