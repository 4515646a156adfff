import { splitStore } from '@celeriac/core/adapter';
import { backendConformance, brokerConformance, expectEveryLifecycleEvent, taskStoreConformance } from '@celeriac/core/testing';
import { Celeriac } from '@celeriac/core';
import { describe, it } from 'vitest';
import type { Broker, TaskStore } from '@celeriac/core/adapter';
import { MemoryBackend, MemoryBroker, MemoryStore } from '../src/index.js';

taskStoreConformance({
  name: 'memory',
  create: async () => new MemoryStore(),
  createWithRetention: async (retention) => new MemoryStore(retention),
  injectRaw: async (store: TaskStore, queue, raw) => (store as MemoryStore).injectRaw(queue, raw),
});

// The split adapter, over the memory broker and backend as a separate pair.
const brokers = new WeakMap<TaskStore, MemoryBroker>();
taskStoreConformance({
  name: 'splitStore(memory broker, memory backend)',
  create: async () => {
    const broker = new MemoryBroker();
    const store = splitStore(broker, new MemoryBackend());
    brokers.set(store, broker);
    return store;
  },
  createWithRetention: async (retention) => splitStore(new MemoryBroker(), new MemoryBackend(retention)),
  injectRaw: async (store: TaskStore, queue, raw) => brokers.get(store)?.injectRaw(queue, raw),
});

brokerConformance({
  name: 'memory',
  create: async () => new MemoryBroker(),
  injectRaw: async (broker: Broker, queue, raw) => (broker as MemoryBroker).injectRaw(queue, raw),
});

backendConformance({
  name: 'memory',
  create: async () => new MemoryBackend(),
});

describe('lifecycle events through a splitStore of the memory halves', () => {
  it('emits every event with its payload', async () => {
    const store = splitStore(new MemoryBroker(), new MemoryBackend());
    const app = new Celeriac({ store, logger: { debug() {}, info() {}, warn() {}, error() {} } });
    try {
      await expectEveryLifecycleEvent(app, () => app.worker({ pollInterval: 20, heartbeatInterval: 50 }));
    } finally {
      await app.close();
      await store.close();
    }
  });
});
