import type { Broker, TaskStore } from '@celeriac/core/adapter';
import { splitStore } from '@celeriac/core/adapter';
import { brokerConformance, taskStoreConformance } from '@celeriac/core/testing';
import { MemoryBackend } from '@celeriac/memory';
import { type RedisStore, createRedisStore } from '@celeriac/redis';
import { type RabbitMqServer, startRabbitMqServer, startRedisServer } from '@celeriac/test-support';
import { afterAll, beforeAll } from 'vitest';
import { AmqpBroker } from '../src/index.js';

let server: RabbitMqServer;
let redis: Awaited<ReturnType<typeof startRedisServer>>;
let count = 0;
const brokers = new WeakMap<object, { broker: AmqpBroker; backend: MemoryBackend; prefix: string }>();

beforeAll(async () => {
  [server, redis] = await Promise.all([startRabbitMqServer(), startRedisServer()]);
});

afterAll(async () => {
  await Promise.all([server.stop(), redis.stop()]);
});

function make(prefix = `t${process.pid}-${++count}`, backend: MemoryBackend = new MemoryBackend()) {
  const broker = new AmqpBroker({ url: server.url, backend, prefix });
  return { broker, backend, prefix };
}

function partsOf(owner: object) {
  const parts = brokers.get(owner);
  if (parts === undefined) throw new Error('made outside this file');
  return parts;
}

brokerConformance({
  name: 'amqp',
  create: async () => {
    const parts = make();
    brokers.set(parts.broker, parts);
    return parts.broker;
  },
  injectRaw: (broker: Broker, queue: string, raw: string) => partsOf(broker).broker.injectRaw(queue, raw),
  abandon: (broker: Broker) => partsOf(broker).broker.disconnect(),
  createPeer: async (broker: Broker) => {
    const { prefix, backend } = partsOf(broker);
    return make(prefix, backend).broker;
  },
});

taskStoreConformance({
  name: 'amqp + memory backend (splitStore)',
  create: async () => {
    const parts = make();
    const store = splitStore(parts.broker, parts.backend);
    brokers.set(store, parts);
    return store;
  },
  injectRaw: (store: TaskStore, queue: string, raw: string) => partsOf(store).broker.injectRaw(queue, raw),
  abandon: (store: TaskStore) => partsOf(store).broker.disconnect(),
  createPeer: async (store: TaskStore) => {
    const { prefix, backend } = partsOf(store);
    return splitStore(make(prefix, backend).broker, backend);
  },
  createWithRetention: async (retention) => {
    const parts = make(undefined, new MemoryBackend(retention));
    const store = splitStore(parts.broker, parts.backend);
    brokers.set(store, parts);
    return store;
  },
});

// The deployment the package is for: records (and the broker's shared keys) in Redis.
const redisParts = new WeakMap<object, { broker: AmqpBroker; backend: RedisStore; prefix: string }>();
function makeWithRedis(prefix = `r${process.pid}-${++count}`) {
  const backend = createRedisStore({ connection: redis.url, prefix });
  return { broker: new AmqpBroker({ url: server.url, backend, prefix }), backend, prefix };
}

taskStoreConformance({
  name: 'amqp + RedisStore as result backend (splitStore)',
  create: async () => {
    const parts = makeWithRedis();
    const store = splitStore(parts.broker, parts.backend);
    redisParts.set(store, parts);
    return store;
  },
  injectRaw: (store: TaskStore, queue: string, raw: string) => (redisParts.get(store) as { broker: AmqpBroker }).broker.injectRaw(queue, raw),
  abandon: (store: TaskStore) => (redisParts.get(store) as { broker: AmqpBroker }).broker.disconnect(),
  createPeer: async (store: TaskStore) => {
    const parts = makeWithRedis((redisParts.get(store) as { prefix: string }).prefix);
    return splitStore(parts.broker, parts.backend);
  },
  // RedisStore counts and lists its live tasks from its own queues, and its reopen does not yet
  // write the timeline step: as another broker's backend, task listing is not there yet.
  taskListing: false,
});
