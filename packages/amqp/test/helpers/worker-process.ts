import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type NodeProcess, startNodeProcess } from '@celeriac/test-support';

const FIXTURE = fileURLToPath(new URL('../fixtures/worker.mjs', import.meta.url));
const BUILT = fileURLToPath(new URL('../../dist/index.js', import.meta.url));

export interface WorkerConfig {
  amqpUrl: string;
  redisUrl: string;
  prefix: string;
  name: string;
  concurrency?: number;
}

export type WorkerProcess = NodeProcess;

/** Starts test/fixtures/worker.mjs (on the built packages) and resolves once it consumes. */
export async function startWorkerProcess(config: WorkerConfig, readyTimeoutMs = 20_000): Promise<WorkerProcess> {
  if (!existsSync(BUILT)) throw new Error('packages/amqp/dist is missing: run `pnpm build` first');
  return startNodeProcess(FIXTURE, config, `worker ${config.name}`, readyTimeoutMs);
}

/** Ends a worker process if it still runs (test cleanup). */
export function stopWorkerProcess(worker: WorkerProcess): Promise<void> {
  return worker.kill();
}

export async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  for (const end = Date.now() + timeoutMs; Date.now() < end; ) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}
