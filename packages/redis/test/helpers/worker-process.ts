import { type ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const FIXTURES = {
  work: fileURLToPath(new URL('../fixtures/worker.mjs', import.meta.url)),
  workflow: fileURLToPath(new URL('../fixtures/workflow-worker.mjs', import.meta.url)),
  chordCrash: fileURLToPath(new URL('../fixtures/chord-crash-worker.mjs', import.meta.url)),
  topology: fileURLToPath(new URL('../fixtures/topology-worker.mjs', import.meta.url)),
  revokeCrash: fileURLToPath(new URL('../fixtures/revoke-crash.mjs', import.meta.url)),
};
const BUILT = fileURLToPath(new URL('../../dist/index.js', import.meta.url));

export interface WorkerConfig {
  /** The server, for every fixture but `topology`. */
  url?: string;
  /** The store's connection for the `topology` fixture (test.echo): cluster start-up nodes or Sentinel options, as JSON. */
  connection?: { cluster: { host: string; port: number }[] } | { sentinels: { host: string; port: number }[]; name: string };
  prefix: string;
  /** The store's `partitions` (`work`, `workflow` and `topology` fixtures). */
  partitions?: number;
  name: string;
  concurrency?: number;
  visibilityTimeout?: number;
  heartbeatInterval?: number;
  shutdownTimeout?: number;
  /** test.work records when each run starts and ends in the `spans` list (for overlap checks in time). */
  spans?: boolean;
  /**
   * Which fixture: `work` (test.work, the default), `workflow` (rate.insert, chord.member,
   * chord.sum), `chordCrash` (chord tasks; dies between completing a chord and starting its
   * callback), `topology` (test.echo(n, ms) on a cluster or behind Sentinel: `connection`) or
   * `revokeCrash` (with `revokeId`: a producer killed between `store.revoke` and ending the
   * workflow; without: a worker of the `rv.*` workflow tasks).
   */
  fixture?: keyof typeof FIXTURES;
  /** The worker's registry heartbeat (`heartbeatInterval` of app.worker()), in ms; `work` fixture only. */
  registryInterval?: number;
  /** Appends the worker's events to the queue-wide stream; `work` fixture only. */
  events?: boolean;
  /** The task the `revokeCrash` producer revokes before it is killed. */
  revokeId?: string;
}

export interface WorkerProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** Resolves with how it ended. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** What it wrote to stderr, for failure messages. */
  output(): string;
}

/** Starts test/fixtures/worker.mjs (on the built packages) and resolves once it consumes. */
export async function startWorkerProcess(config: WorkerConfig, readyTimeoutMs = 15_000): Promise<WorkerProcess> {
  if (!existsSync(BUILT)) throw new Error('packages/redis/dist is missing: run `pnpm turbo run build --filter=@celeriac/redis` first');
  const child = fork(FIXTURES[config.fixture ?? 'work'], [], { env: { ...process.env, CELERIAC_TEST_WORKER: JSON.stringify(config) }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker ${config.name} not ready within ${readyTimeoutMs} ms:\n${output}`)), readyTimeoutMs);
    child.once('message', (message) => {
      clearTimeout(timer);
      if (message === 'ready') resolve();
      else reject(new Error(`worker ${config.name} said ${String(message)}`));
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`worker ${config.name} exited (${String(code ?? signal)}) before it was ready:\n${output}`));
    });
  });
  return { name: config.name, child, exited, output: () => output };
}

/** Ends a worker process if it still runs (test cleanup). */
export async function stopWorkerProcess(worker: WorkerProcess): Promise<void> {
  if (worker.child.exitCode !== null || worker.child.signalCode !== null) return;
  worker.child.kill('SIGKILL');
  await worker.exited;
}
