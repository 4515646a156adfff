import { makeMessage } from '@celeriac/core/testing';
import { MemoryBackend } from '@celeriac/memory';
import { type RabbitMqServer, startRabbitMqServer } from '@celeriac/test-support';
import { type Channel, type ChannelModel, connect } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AmqpBroker } from '../src/index.js';

// Reserve consumes (basic.consume) with a prefetch of the slots reserves asked for: RabbitMQ
// itself is asked how many messages are still ready, so the process holding more would show.
let server: RabbitMqServer;
let model: ChannelModel;
let channel: Channel;
let count = 0;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  server = await startRabbitMqServer();
  model = await connect(server.url);
  channel = await model.createChannel();
});

afterAll(async () => {
  await model.close();
  await server.stop();
});

function open() {
  const prefix = `pf${++count}`;
  const backend = new MemoryBackend();
  return { prefix, backend, broker: new AmqpBroker({ url: server.url, backend, prefix }), ready: async () => channel.checkQueue(`${prefix}.default`) };
}

const req = { queues: ['default'], tasks: ['test.noop'], waitMs: 2_000 };

describe('reserve on basic.consume', () => {
  it('holds no more messages than asked: a reserve of 3 leaves the rest ready in RabbitMQ', async () => {
    const { broker, ready } = open();
    try {
      await broker.publish(Array.from({ length: 20 }, () => makeMessage()));
      const first = await broker.reserve({ ...req, max: 3 });
      expect(first.length).toBeGreaterThanOrEqual(1);
      expect(first.length).toBeLessThanOrEqual(3);
      await sleep(300); // any push RabbitMQ still had on the way has landed
      expect((await ready()).messageCount).toBe(17);
      // What was pushed beyond the first answer is the next reserve's, within the same 3.
      const second = await broker.reserve({ ...req, max: 3 - first.length, waitMs: 0 });
      expect(first.length + second.length).toBe(3);
      await sleep(300);
      expect((await ready()).messageCount).toBe(17);
      // Settling frees those slots: RabbitMQ refills them (the worker's freed slots), no more.
      for (const d of [...first, ...second]) await broker.ack(d);
      await sleep(300);
      expect((await ready()).messageCount).toBe(14);
      const rest = [];
      while (rest.length < 17) rest.push(...(await broker.reserve({ ...req, max: 17 - rest.length })));
      expect(new Set([...first, ...second, ...rest].map((d) => d.message.id)).size).toBe(20);
    } finally {
      await broker.close();
    }
  });

  it('an idle broker stops consuming and gives back what it was pushed, for other processes', async () => {
    const { broker, ready } = open();
    try {
      await broker.publish([makeMessage()]);
      const [delivery] = await broker.reserve({ ...req, max: 1 });
      if (delivery !== undefined) await broker.ack(delivery);
      await broker.publish(Array.from({ length: 3 }, () => makeMessage()));
      await sleep(1_000);
      const queue = await ready();
      expect(queue.consumerCount).toBe(0);
      expect(queue.messageCount).toBe(3);
    } finally {
      await broker.close();
    }
  });

  it('a waiting reserve is woken by a message another process publishes, not by a poll', async () => {
    const { broker, prefix, backend } = open();
    const producer = new AmqpBroker({ url: server.url, backend, prefix });
    try {
      const waiting = broker.reserve({ ...req, max: 5, waitMs: 10_000 });
      await sleep(300);
      const message = makeMessage();
      const sent = Date.now();
      await producer.publish([message]);
      const taken = await waiting;
      expect(taken.map((d) => d.message.id)).toEqual([message.id]);
      expect(Date.now() - sent).toBeLessThan(1_000);
    } finally {
      await producer.close();
      await broker.close();
    }
  });

  it('messages of tasks a reserve does not serve are put back when it ends, none lost or held', async () => {
    const { broker, ready } = open();
    try {
      await broker.publish(Array.from({ length: 150 }, () => makeMessage({ task: 'test.other' })));
      expect(await broker.reserve({ ...req, max: 10, waitMs: 500 })).toEqual([]);
      await sleep(1_000); // past the idle time: nothing stays pushed to this process
      expect((await ready()).messageCount).toBe(150);
      const other = await broker.reserve({ ...req, tasks: ['test.other'], max: 200, waitMs: 0 });
      expect(other).toHaveLength(150);
      expect(other.every((d) => d.deliveries === 1)).toBe(true);
    } finally {
      await broker.close();
    }
  });
});
