import { type ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const FIXTURE = fileURLToPath(new URL('../fixtures/worker.mjs', import.meta.url));
const BUILT = fileURLToPath(new URL('../../dist/index.js', import.meta.url));

export interface WorkerConfig {
  amqpUrl: string;
  redisUrl: string;
  prefix: string;
  name: string;
  concurrency?: number;
}

export interface WorkerProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
}

/** Starts test/fixtures/worker.mjs (on the built packages) and resolves once it consumes. */
export async function startWorkerProcess(config: WorkerConfig, readyTimeoutMs = 20_000): Promise<WorkerProcess> {
  if (!existsSync(BUILT)) throw new Error('packages/amqp/dist is missing: run `pnpm build` first');
  const child = fork(FIXTURE, [], { env: { ...process.env, CELERIAC_TEST_WORKER: JSON.stringify(config) }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
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
  return { child, exited, output: () => output };
}

/** Ends a worker process if it still runs (test cleanup). */
export async function stopWorkerProcess(worker: WorkerProcess): Promise<void> {
  if (worker.child.exitCode !== null || worker.child.signalCode !== null) return;
  worker.child.kill('SIGKILL');
  await worker.exited;
}

export async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  for (const end = Date.now() + timeoutMs; Date.now() < end; ) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}
