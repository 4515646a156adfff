import type { PoolKind, WorkerOptions } from '@celeriac/core';
import type { Command } from 'commander';
import { type CommandContext, runAction } from '../context.js';
import { EXIT_CODES } from '../exit-codes.js';
import { oneOf, parseDuration, parseList, parseNonNegativeInt, parsePositiveInt } from '../parse.js';

const POOLS = ['inline', 'threads', 'process'] as const satisfies readonly PoolKind[];

interface WorkerFlags {
  queues?: string[];
  concurrency?: number;
  pool?: PoolKind;
  shutdownTimeout?: number;
  events?: boolean;
  metricsPort?: number;
  metricsHost?: string;
}

/** `celeriac worker`: runs until SIGTERM or SIGINT, then closes gracefully and exits 0. */
export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('run a worker: consume queues and run the app\'s tasks until SIGTERM or SIGINT (then finish or hand back running tasks and exit 0)')
    .option('-Q, --queues <names>', 'queues to consume, comma-separated (default: the queues of every registered task)', parseList)
    .option('-c, --concurrency <n>', 'tasks run at once (default: 10)', parsePositiveInt)
    .option('-P, --pool <kind>', `where task code runs: ${POOLS.join(', ')} (default: inline)`, oneOf(POOLS))
    .option('--shutdown-timeout <duration>', 'on SIGTERM, how long running tasks may finish before they are handed back (default: 30s)', parseDuration)
    .option('--metrics-port <port>', 'serve Prometheus metrics at http://<host>:<port>/metrics (0: a free port, said in the worker-ready line)', parseNonNegativeInt)
    .option('--metrics-host <host>', 'the interface the metrics server listens on (default: 0.0.0.0)')
    .option('-E, --events', 'append this worker\'s events to the queue-wide event stream (read with celeriac events); default: the app\'s events option')
    .action((flags: WorkerFlags, command: Command) => runAction(command, (ctx) => runWorker(ctx, flags), { logAtInfo: true }));
}

async function runWorker(ctx: CommandContext, flags: WorkerFlags) {
  const options: WorkerOptions = {
    // Thread and process pools load the app from the same module as this process.
    module: ctx.module,
    ...ctx.config?.worker,
    ...(flags.queues === undefined ? {} : { queues: flags.queues }),
    ...(flags.concurrency === undefined ? {} : { concurrency: flags.concurrency }),
    ...(flags.pool === undefined ? {} : { pool: flags.pool }),
    ...(flags.shutdownTimeout === undefined ? {} : { shutdownTimeout: flags.shutdownTimeout }),
    ...(flags.events === undefined ? {} : { events: flags.events }),
  };
  // Before the worker starts, so its first tasks are counted; loaded only when asked for.
  const metrics = flags.metricsPort === undefined ? undefined : await startMetrics(ctx, flags.metricsPort, flags.metricsHost ?? '0.0.0.0');
  const worker = ctx.app.worker(options);
  await worker.start();
  // The first signal closes the worker, then the app and its store, so the process can exit; a second exits at once.
  worker.closeOnSignals();
  const closed = new Promise<void>((resolve) => {
    const onSignal = () => void worker.close().then(resolve, resolve);
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
  // For people, the worker's own banner (logged at info on stderr) says it is ready: one line,
  // not two. Scripts get a JSON line on stdout to wait for.
  const info = worker.info();
  if (info !== undefined) {
    const { id, queues, concurrency, pool, tasks, events } = info;
    ctx.out.script({ event: 'worker-ready', worker: id, pid: process.pid, queues, concurrency, pool, tasks, events, ...(metrics === undefined ? {} : { metricsPort: metrics.port }) });
  }
  await closed;
  await metrics?.close();
  ctx.out.script({ event: 'worker-stopped', worker: worker.id });
  return { code: EXIT_CODES.OK, closed: true };
}

async function startMetrics(ctx: CommandContext, port: number, host: string) {
  const { celeriacMetrics, serveMetrics } = await import('@celeriac/prometheus');
  return serveMetrics(celeriacMetrics(ctx.app), { port, host });
}
