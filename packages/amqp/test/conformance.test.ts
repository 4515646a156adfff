import type { Broker, ResultBackend, TaskStore } from '@celeriac/core/adapter';
import { splitStore } from '@celeriac/core/adapter';
import { brokerConformance, makeMessage, taskStoreConformance } from '@celeriac/core/testing';
import type { TaskListRetention } from '@celeriac/core';
import { CeleryRedisBackend } from '@celeriac/celery';
import { MemoryBackend } from '@celeriac/memory';
import { createRedisStore } from '@celeriac/redis';
import { type RabbitMqServer, type RedisServer, startRabbitMqServer, startRedisServer } from '@celeriac/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AmqpBroker } from '../src/index.js';

// The broker contract, then the whole task-store suite through splitStore with each result
// backend an AMQP deployment pairs it with: memory, RedisStore (records only), and Celery's Redis
// result backend (celery mode's).
let server: RabbitMqServer;
let redis: RedisServer;
let count = 0;
const made = new WeakMap<object, { broker: AmqpBroker; backend: ResultBackend; prefix: string }>();

beforeAll(async () => {
  [server, redis] = await Promise.all([startRabbitMqServer(), startRedisServer()]);
}, 90_000);

afterAll(async () => {
  await Promise.all([server.stop(), redis.stop()]);
});

type BackendFor = (prefix: string, retention?: Required<TaskListRetention>) => ResultBackend;
const backends: Record<string, BackendFor> = {
  'memory backend': (_prefix, retention) => new MemoryBackend(retention),
  'RedisStore as result backend': (prefix, retention) => createRedisStore({ connection: redis.url, prefix, ...retention }),
  'Celery Redis result backend': (prefix, retention) => new CeleryRedisBackend({ connection: redis.url, keyPrefix: `${prefix}:`, ...retention }),
};

function partsOf(owner: object) {
  const parts = made.get(owner);
  if (parts === undefined) throw new Error('made outside this file');
  return parts;
}

/** A broker on `prefix` with `backend`, filed under what it is returned as. */
function make<T extends object>(as: (broker: AmqpBroker, backend: ResultBackend) => T, backend: ResultBackend, prefix: string): T {
  const broker = new AmqpBroker({ url: server.url, backend, prefix });
  const value = as(broker, backend);
  made.set(value, { broker, backend, prefix });
  return value;
}

brokerConformance({
  name: 'amqp',
  create: async () => make((broker) => broker, new MemoryBackend(), `t${process.pid}-${++count}`),
  injectRaw: (broker: Broker, queue: string, raw: string) => partsOf(broker).broker.injectRaw(queue, raw),
  abandon: (broker: Broker) => partsOf(broker).broker.disconnect(),
  createPeer: async (broker: Broker) => {
    const { prefix, backend } = partsOf(broker);
    return new AmqpBroker({ url: server.url, backend, prefix });
  },
});

for (const [label, backendFor] of Object.entries(backends)) {
  const store = (prefix = `t${process.pid}-${++count}`, backend = backendFor(prefix)) => make(splitStore, backend, prefix);
  taskStoreConformance({
    name: `amqp + ${label} (splitStore)`,
    create: async () => store(),
    injectRaw: (s: TaskStore, queue: string, raw: string) => partsOf(s).broker.injectRaw(queue, raw),
    abandon: (s: TaskStore) => partsOf(s).broker.disconnect(),
    // Another process: its own broker connection, the same backend storage.
    createPeer: async (s: TaskStore) => {
      const { prefix, backend } = partsOf(s);
      return store(prefix, backend instanceof MemoryBackend ? backend : backendFor(prefix));
    },
    createWithRetention: async (retention) => {
      const prefix = `t${process.pid}-${++count}`;
      return store(prefix, backendFor(prefix, retention));
    },
  });
}

describe('amqp + RedisStore as result backend: the admin API over messages it does not hold', () => {
  it('a dead letter requeued is listed as PENDING again, its FAILURE kept in its timeline, and leaves the lists when done', async () => {
    const prefix = `dl${process.pid}-${++count}`;
    const store = make(splitStore, createRedisStore({ connection: redis.url, prefix }), prefix);
    try {
      const message = makeMessage({ args: ['x'] });
      await store.enqueue([message]);
      const ids = async (state: string) => (await store.listTasks({ state, limit: 10, offset: 0 })).map((r) => r.id);
      expect(await ids('PENDING')).toEqual([message.id]);
      const [delivery] = await store.reserve({ queues: ['default'], tasks: ['test.noop'], max: 1, waitMs: 1_000, worker: 'w-1' });
      if (delivery === undefined) throw new Error('not delivered');
      expect(await ids('STARTED')).toEqual([message.id]);
      await store.apply({ id: message.id, state: 'FAILURE', error: { type: 'Error', message: 'boom' } }, delivery);
      await store.deadLetter(delivery, 'too many deliveries');
      expect(await ids('FAILURE')).toEqual([message.id]);
      expect(await ids('STARTED')).toEqual([]);
      expect(await store.taskCounts()).toMatchObject({ PENDING: 0, STARTED: 0, FAILURE: 1 });
      expect(await store.retryDeadLetter(message.id)).toBe(true);
      expect(await ids('PENDING')).toEqual([message.id]);
      expect(await ids('FAILURE')).toEqual([]);
      expect(await store.taskCounts()).toMatchObject({ PENDING: 1, FAILURE: 0 });
      const [again] = await store.reserve({ queues: ['default'], tasks: ['test.noop'], max: 1, waitMs: 2_000, worker: 'w-2' });
      if (again === undefined) throw new Error('not requeued');
      await store.settle(again, { id: message.id, state: 'SUCCESS', attempt: 2, task: message.task, result: 1 });
      expect(await store.taskCounts()).toMatchObject({ PENDING: 0, STARTED: 0, FAILURE: 0, SUCCESS: 1 });
      const view = await store.viewTask(message.id);
      expect(view).toMatchObject({ state: 'SUCCESS', args: ['x'], queue: 'default' });
      expect(view?.timeline.map((t) => [t.state, t.attempt])).toEqual([
        ['PENDING', 1],
        ['STARTED', 1],
        ['FAILURE', 1],
        ['PENDING', 2],
        ['STARTED', 2],
        ['SUCCESS', 2],
      ]);
    } finally {
      await store.close();
    }
  });
});
