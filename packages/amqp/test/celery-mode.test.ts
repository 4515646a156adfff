import { makeMessage } from '@celeriac/core/testing';
import { MemoryBackend } from '@celeriac/memory';
import { type RabbitMqServer, startRabbitMqServer } from '@celeriac/test-support';
import { connect } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AmqpBroker, type AmqpCodec, celeriacJsonCodec, int32Headers } from '../src/index.js';

let server: RabbitMqServer;

beforeAll(async () => {
  server = await startRabbitMqServer();
});

afterAll(async () => {
  await server.stop();
});

describe('celery mode', () => {
  it("shares a queue Celery declared (durable, no arguments) without a 406, publishing through the default exchange", async () => {
    // As kombu declares Celery's default queue.
    const model = await connect(server.url);
    const channel = await model.createChannel();
    await channel.assertQueue('celery', { durable: true, autoDelete: false, exclusive: false });
    const broker = new AmqpBroker({ url: server.url, backend: new MemoryBackend(), mode: 'celery', prefix: 'cm1' });
    try {
      const message = makeMessage({ queue: 'celery', priority: 3 });
      await broker.publish([message]);
      // On the queue named as the queue, where a Celery worker would read it.
      expect((await channel.checkQueue('celery')).messageCount).toBe(1);
      const [delivery] = await broker.reserve({ queues: ['celery'], tasks: ['test.noop'], max: 1, waitMs: 1_000 });
      expect(delivery?.message).toEqual(message);
      if (delivery !== undefined) await broker.ack(delivery);
      // And a queue with x-max-priority, as Celery's task_queue_max_priority declares it.
      await channel.assertQueue('celery.prio', { durable: true, arguments: { 'x-max-priority': 9 } });
      const prio = new AmqpBroker({ url: server.url, backend: new MemoryBackend(), mode: 'celery', maxPriority: 9, prefix: 'cm2' });
      const low = makeMessage({ queue: 'celery.prio', priority: 1 });
      const high = makeMessage({ queue: 'celery.prio', priority: 8 });
      await prio.publish([low, high]);
      const taken = await prio.reserve({ queues: ['celery.prio'], tasks: ['test.noop'], max: 10, waitMs: 0 });
      expect(taken.map((d) => d.message.id)).toEqual([high.id, low.id]);
      await prio.close();
    } finally {
      await broker.close();
      await model.close();
    }
  });

  it('declares with the wrong arguments fail loudly: a queue Celery made without x-max-priority refuses maxPriority', async () => {
    const model = await connect(server.url);
    const channel = await model.createChannel();
    await channel.assertQueue('celery.plain', { durable: true });
    await model.close();
    const broker = new AmqpBroker({ url: server.url, backend: new MemoryBackend(), mode: 'celery', maxPriority: 5, prefix: 'cm3' });
    await expect(broker.publish([makeMessage({ queue: 'celery.plain' })])).rejects.toThrow(/PRECONDITION_FAILED|406/);
    await broker.close();
  });

  it('takes a pluggable codec: what it encodes is what goes on the wire, and its decode errors are dead-letter reasons', async () => {
    const seen: string[] = [];
    const codec: AmqpCodec = {
      name: 'tagged',
      encode: (message) => ({ ...celeriacJsonCodec.encode(message), headers: { task: message.task, retries: 300 } }),
      decode: (incoming) => {
        seen.push(String(incoming.headers.task));
        if (incoming.headers.retries !== 300) throw new Error('retries header lost');
        return celeriacJsonCodec.decode(incoming);
      },
    };
    const broker = new AmqpBroker({ url: server.url, backend: new MemoryBackend(), codec, prefix: 'cm4' });
    try {
      const message = makeMessage();
      await broker.publish([message]);
      await broker.injectRaw('default', JSON.stringify(makeMessage()), { task: 'foreign' });
      const taken = await broker.reserve({ queues: ['default'], tasks: ['test.noop'], max: 10, waitMs: 0 });
      expect(taken.map((d) => d.message.id)).toEqual([message.id]);
      expect(seen).toEqual(['test.noop', 'foreign']);
      expect((await broker.deadLetters()).map((d) => d.reason)).toEqual(['malformed message (tagged): retries header lost']);
    } finally {
      await broker.close();
    }
  });
});

describe('header integers', () => {
  it('are boxed as int32 (int64 past it), never as the 16-bit type py-amqp misreads', () => {
    expect(int32Headers({ small: 5, mid: 300, big: 2 ** 40, text: 'x', list: [200, 'y'], nested: { retries: 1000 }, none: undefined })).toEqual({
      small: { '!': 'int32', value: 5 },
      mid: { '!': 'int32', value: 300 },
      big: { '!': 'int64', value: 2 ** 40 },
      text: 'x',
      list: [{ '!': 'int32', value: 200 }, 'y'],
      nested: { retries: { '!': 'int32', value: 1000 } },
    });
  });

  it('the options are checked at construction, naming the option', () => {
    const backend = new MemoryBackend();
    expect(() => new AmqpBroker({ url: 'http://x', backend })).toThrow(/url/);
    expect(() => new AmqpBroker({ url: 'amqp://x', backend, maxPriority: 12 })).toThrow(/maxPriority/);
    expect(() => new AmqpBroker({ url: 'amqp://x', backend, mode: 'kombu' as 'celery' })).toThrow(/mode/);
    expect(() => new AmqpBroker({ url: 'amqp://x', backend: {} as MemoryBackend })).toThrow(/backend/);
    expect(() => new AmqpBroker({ url: 'amqp://x', backend, deadLetterTtl: 2 ** 33 })).toThrow(/deadLetterTtl/);
  });
});
