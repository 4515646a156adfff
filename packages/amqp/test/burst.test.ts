import { Celeriac } from '@celeriac/core';
import { splitStore } from '@celeriac/core/adapter';
import { createRedisStore } from '@celeriac/redis';
import { startRabbitMqServer, startRedisServer } from '@celeriac/test-support';
import { expect, it } from 'vitest';
import { AmqpBroker } from '../src/index.js';

// A worker at concurrency 10 draining bursts of 2,000 (the benchmark's shape), on fresh names each
// time: every task runs, none is left waiting or stuck unacked in the process.
it('a worker drains bursts of 2,000 tasks, each time, none left behind', { timeout: 300_000 }, async () => {
  const [rabbit, redis] = await Promise.all([startRabbitMqServer(), startRedisServer()]);
  try {
    for (let run = 0; run < 3; run++) {
      const prefix = `s${run}`;
      const backend = createRedisStore({ connection: redis.url, prefix });
      const broker = new AmqpBroker({ url: rabbit.url, backend, prefix });
      const store = splitStore(broker, backend);
      const app = new Celeriac({ store, logger: { debug() {}, info() {}, warn() {}, error() {} } });
      let done = 0;
      const noop = app.task({ name: 'bench.noop' }, (_i: number) => { done++; return null; });
      await noop.bulk(Array.from({ length: 2000 }, (_, i) => [i] as [number]));
      const worker = app.worker({ concurrency: 10 });
      await worker.start();
      const start = Date.now();
      while (done < 2000 && Date.now() - start < 30_000) await new Promise((r) => setTimeout(r, 50));
      expect(done).toBe(2000);
      expect(await store.size('default')).toBe(0);
      await worker.close();
      await app.close();
      await store.close();
    }
  } finally {
    await Promise.all([rabbit.stop(), redis.stop()]);
  }
});
