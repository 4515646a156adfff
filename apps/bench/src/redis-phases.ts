/**
 * Where one lone enqueue-to-result round trip spends its time, for Celeriac and bee-queue side by
 * side: the median gap between the events of a round trip as this process sees them (each socket
 * write and how long the write call took, each read, the task running, the enqueue resolving, the
 * result arriving), then the server's own time per command from SLOWLOG. Not a benchmark to
 * compare figures with: a profile to aim the next latency change at. `pnpm bench:phases [tasks]`.
 */
import net from 'node:net';
import { Celeriac, consoleLogger } from '@celeriac/core';
import { createRedisStore } from '@celeriac/redis';
import BeeQueue from 'bee-queue';
import { Redis } from 'ioredis';
import { LATENCY_CONCURRENCY, type RedisTarget } from './redis-bench/peer.js';
import { percentile } from './stats.js';
import { openBenchRedis } from './redis-bench/server.js';

type Mark = 'start' | 'write' | 'written' | 'read' | 'run' | 'enqueued' | 'end';

/** The events of the round trip in progress (undefined between round trips: nothing is recorded). */
let marks: [Mark, number][] | undefined;

function mark(event: Mark): void {
  marks?.push([event, performance.now() * 1000]);
}

/** Every socket write (start and end of the call) and every chunk read, of every library alike. */
function watchSockets(): void {
  const socket = net.Socket.prototype as unknown as {
    write: (...args: unknown[]) => boolean;
    push: (chunk: unknown, ...rest: unknown[]) => boolean;
  };
  const write = socket.write;
  socket.write = function (this: unknown, ...args: unknown[]) {
    mark('write');
    const flushed = write.apply(this, args);
    mark('written');
    return flushed;
  };
  const push = socket.push;
  socket.push = function (this: unknown, chunk: unknown, ...rest: unknown[]) {
    if (chunk !== null) mark('read');
    return push.call(this, chunk, ...rest);
  };
}

/** One round trip: enqueue, then wait for the result; `run` is marked by the task itself. */
type RoundTrip = () => Promise<void>;

interface Subject {
  readonly name: string;
  readonly roundTrip: RoundTrip;
  close(): Promise<void>;
}

async function celeriac(target: RedisTarget): Promise<Subject> {
  const store = createRedisStore({ connection: target.url });
  await store.connect();
  const app = new Celeriac({ store, logger: consoleLogger('warn') });
  const noop = app.task({ name: 'bench.noop' }, (_i: number) => {
    mark('run');
    return null;
  });
  await app.worker({ concurrency: LATENCY_CONCURRENCY }).start();
  let i = 0;
  return {
    name: 'celeriac',
    roundTrip: async () => {
      const result = await noop.delay(i++);
      mark('enqueued');
      await result.wait();
    },
    close: async () => {
      await app.close();
      await store.close();
    },
  };
}

async function beeQueue(target: RedisTarget): Promise<Subject> {
  const redis = { host: target.host, port: target.port };
  const producer = new BeeQueue<{ i: number }>('phases', { redis, isWorker: false, getEvents: true });
  const worker = new BeeQueue<{ i: number }>('phases', { redis, isWorker: true, getEvents: false });
  await Promise.all([producer.ready(), worker.ready()]);
  worker.process(LATENCY_CONCURRENCY, async () => {
    mark('run');
    return null;
  });
  let i = 0;
  return {
    name: 'bee-queue',
    roundTrip: async () => {
      const job = await producer.createJob({ i: i++ }).save();
      mark('enqueued');
      await new Promise<void>((resolve, reject) => {
        job.once('succeeded', () => resolve());
        job.once('failed', reject);
      });
    },
    close: async () => {
      await worker.close();
      await producer.close();
    },
  };
}

/** Runs `n` round trips and prints the most common sequence of events with its median gaps. */
async function phases(subject: Subject, n: number): Promise<void> {
  const trips: [Mark, number][][] = [];
  for (let i = 0; i < n; i++) {
    marks = [];
    mark('start');
    await subject.roundTrip();
    mark('end');
    trips.push(marks);
    marks = undefined;
  }
  // Round trips grouped by their sequence of events; each kept as its events' times alone.
  const bySequence = new Map<string, number[][]>();
  for (const trip of trips) {
    const sequence = trip.map(([event]) => event).join(' ');
    const times = trip.map(([, time]) => time);
    const group = bySequence.get(sequence);
    if (group === undefined) bySequence.set(sequence, [times]);
    else group.push(times);
  }
  const [sequence, same] = [...bySequence].sort((a, b) => b[1].length - a[1].length)[0] as [string, number[][]];
  const events = sequence.split(' ');
  const gap = (times: readonly number[], from: number, to: number) => (times[to] as number) - (times[from] as number);
  const steps = events.slice(1).map((event, j) => `${events[j]}→${event} ${percentile(same.map((times) => gap(times, j, j + 1)), 50).toFixed(0)}`);
  const total = percentile(same.map((times) => gap(times, 0, events.length - 1)), 50);
  console.log(`${subject.name}: round trip p50 ${total.toFixed(0)} µs; ${same.length} of ${n} follow "${sequence}"`);
  console.log(`  µs between events: ${steps.join(' | ')}`);
}

/** The server's own time per command (p50 from SLOWLOG, every command logged) over `n` round trips. */
async function serverTimes(admin: Redis, subject: Subject, n: number): Promise<void> {
  await admin.config('SET', 'slowlog-log-slower-than', '0');
  // Room for every command of every round trip (a script's own commands are logged too).
  const room = 100 * n;
  await admin.config('SET', 'slowlog-max-len', String(room));
  await admin.slowlog('RESET');
  for (let i = 0; i < n; i++) await subject.roundTrip();
  await admin.config('SET', 'slowlog-log-slower-than', '10000');
  const entries = (await admin.slowlog('GET', room)) as [number, number, number, string[]][];
  const byCommand = new Map<string, number[]>();
  for (const [, , micros, args] of entries) {
    const command = (args[0] ?? '?').toLowerCase();
    if (command === 'slowlog' || command === 'config') continue; // this function's own
    // Scripts by their number of keys: in Celeriac's round trip, 8 is enqueueJobs, 7 settleJobs.
    const name = command === 'evalsha' ? `evalsha/${args[2] ?? '?'}` : command;
    const times = byCommand.get(name);
    if (times === undefined) byCommand.set(name, [micros]);
    else times.push(micros);
  }
  const rows = [...byCommand].map(([name, micros]) => `${name} ${(micros.length / n).toFixed(1)}×${percentile(micros, 50)}`);
  console.log(`  server µs per command (calls per round trip × p50; a script's own commands are listed too): ${rows.join(', ')}`);
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 2000);
  if (!Number.isSafeInteger(n) || n < 10) throw new Error(`tasks must be an integer of at least 10, got ${String(process.argv[2])}`);
  const redis = await openBenchRedis(process.env);
  const admin = new Redis({ host: redis.host, port: redis.port });
  watchSockets();
  try {
    for (const open of [celeriac, beeQueue]) {
      await redis.flush();
      const subject = await open(redis);
      try {
        await phases(subject, Math.min(300, n)); // warm-up
        await phases(subject, n);
        await serverTimes(admin, subject, Math.min(500, n));
      } finally {
        await subject.close();
      }
    }
  } finally {
    admin.disconnect();
    await redis.close();
  }
}

await main();
