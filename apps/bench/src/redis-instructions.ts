/**
 * Redis's work per task, counted in CPU instructions: redis-server runs under valgrind's callgrind,
 * and each phase is counted between a zeroing and a dump of its counters. Unlike time on a shared
 * machine, the count barely moves between runs (about 0.1 %), so a change to a Lua script can be
 * judged from one run. It says nothing about the time spent in the kernel (sockets) or in Node.
 * `pnpm bench:instructions [tasks] [concurrency] [--steps]` (the latency figure: one delay() and wait()
 * after another, at most 2,000 of them, start-up included); needs `valgrind` (Debian package
 * valgrind). `--steps` adds the Redis store's enqueue, reserve and settle apart, for no-op and 1 KB
 * tasks, with the finished lists under their bound and full (see redis-instructions/store-steps.ts).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Peer } from './redis-bench/peer.js';
import { BeeQueuePeer } from './redis-bench/peers/bee-queue.js';
import { CeleriacPeer } from './redis-bench/peers/celeriac.js';
import { openBenchRedis } from './redis-bench/server.js';
import { storeSteps } from './redis-instructions/store-steps.js';

const positional = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const tasks = positiveInt(positional[0] ?? '4000', 'tasks');
const concurrency = positiveInt(positional[1] ?? '100', 'concurrency');
const steps = process.argv.includes('--steps');
/** The finished lists' bound in the `--steps` runs that fill them: well under `tasks`, so most settles trim. */
const FULL_LISTS = Math.max(1, Math.floor(tasks / 8));

function positiveInt(value: string, name: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got ${value}`);
  return n;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

try {
  execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
} catch {
  throw new Error('valgrind is not installed (apt-get install valgrind)');
}

const dir = mkdtempSync(join(tmpdir(), 'celeriac-callgrind-'));
const port = await freePort();
const server = spawn('valgrind', ['--tool=callgrind', `--callgrind-out-file=${join(dir, 'out')}`, 'redis-server', '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
const control = (flag: string) => execFileSync('callgrind_control', [flag, String(server.pid)], { stdio: 'ignore' });

/** Instructions redis-server ran during `phase`. */
async function count(phase: () => Promise<unknown>): Promise<number> {
  control('-z');
  await phase();
  control('-d');
  const dumps = readdirSync(dir).filter((f) => f.startsWith('out')).sort((a, b) => a.length - b.length || a.localeCompare(b));
  const last = readFileSync(join(dir, dumps.at(-1) as string), 'utf8');
  return Number(/^(?:summary|totals): (\d+)/m.exec(last)?.[1] ?? Number.NaN);
}

try {
  const redis = await connectWhenUp(`redis://127.0.0.1:${port}`);
  try {
    const peers: Peer[] = [new CeleriacPeer(redis), new BeeQueuePeer(redis)];
    console.log(`Redis instructions per task (valgrind callgrind), ${tasks} no-op tasks, processing at concurrency ${concurrency}`);
    for (const peer of peers) {
      await redis.flush();
      await peer.process(200, concurrency, 'noop'); // warm-up: scripts loaded, code paths taken once
      await redis.flush();
      const enqueue = await count(() => peer.enqueueBulk(tasks, 'noop'));
      await redis.flush();
      // A processing run enqueues its tasks first (untimed): that part is taken off.
      const both = await count(() => peer.process(tasks, concurrency, 'noop'));
      await redis.flush();
      const roundTrips = Math.min(tasks, 2000);
      const latency = await count(() => peer.latency(roundTrips));
      const per = (n: number, d: number) => Math.round(n / d).toLocaleString('en-US');
      console.log(`${peer.name.padEnd(9)} enqueue ${per(enqueue, tasks)}  process-c${concurrency} ${per(both - enqueue, tasks)}  latency round trip ${per(latency, roundTrips)}`);
    }
    if (steps) {
      console.log(`Redis store steps per task (reserve up to ${concurrency}, settle them together), Redis bytes per finished task`);
      await storeSteps(redis, count, { tasks: 200, concurrency, kind: 'noop' }); // warm-up
      for (const kind of ['noop', '1kb'] as const) {
        for (const taskListLimit of [undefined, FULL_LISTS]) {
          const s = await storeSteps(redis, count, { tasks, concurrency, kind, ...(taskListLimit === undefined ? {} : { taskListLimit }) });
          const lists = taskListLimit === undefined ? 'lists under their bound' : `lists full (taskListLimit ${taskListLimit})`;
          const n = (x: number) => Math.round(x).toLocaleString('en-US');
          console.log(`${kind.padEnd(4)} ${lists.padEnd(33)} enqueue ${n(s.enqueue)}  reserve ${n(s.reserve)}  settle ${n(s.settle)}  bytes/finished ${n(s.bytesPerFinished)}`);
        }
      }
    }
  } finally {
    await redis.close();
  }
} finally {
  server.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
}

/** The bench's connection to the server, once valgrind has it listening (it starts slowly). */
async function connectWhenUp(url: string) {
  const { port } = new URL(url);
  const deadline = Date.now() + 30_000;
  while (!(await accepts(Number(port)))) {
    if (Date.now() > deadline) throw new Error(`redis-server under valgrind did not listen on ${port} within 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return openBenchRedis({ REDIS_URL: url, BENCH_FLUSH: '1' });
}

async function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
