import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Debian's Python, which has python3-celery (a pyenv python3 first on PATH does not). */
export const PYTHON = '/usr/bin/python3';
/** The Python side of the Celery tests: `tasks.py` (the Celery app) and `client.py`. */
const FIXTURES = fileURLToPath(new URL('../python/', import.meta.url));

/** Where the Python Celery app connects. */
export interface CeleryUrls {
  /** Its broker: a Redis URL, or a RabbitMQ `amqp://` URL. */
  readonly broker: string;
  /** Its result backend: a Redis URL. */
  readonly backend: string;
}

function env(urls: CeleryUrls, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, CELERY_BROKER: urls.broker, CELERY_BACKEND: urls.backend, PYTHONPATH: FIXTURES, PYTHONDONTWRITEBYTECODE: '1', ...extra };
}

/** A real `celery worker` process (threads pool, concurrency 2). */
export interface CeleryWorker {
  readonly process: ChildProcess;
  output(): string;
  /** SIGKILL, as a crash would; resolves once it is gone. */
  kill(): Promise<void>;
  /** Warm shutdown (SIGTERM); resolves once it is gone. */
  stop(): Promise<void>;
}

export interface CeleryWorkerOptions {
  /** The worker's node name (`-n <name>@%h`). */
  readonly name: string;
  /** Comma-separated queues it consumes. @defaultValue `'celery'` */
  readonly queues?: string;
  /** kombu's Redis visibility timeout, in seconds. @defaultValue 3600 */
  readonly visibilityTimeoutS?: number;
  /** Celery's `worker_prefetch_multiplier` (tasks.py's default is larger than the tests' bursts). */
  readonly prefetchMultiplier?: number;
}

/** Starts a Celery worker of the test app and resolves once it says it is ready. */
export async function startCeleryWorker(urls: CeleryUrls, options: CeleryWorkerOptions): Promise<CeleryWorker> {
  const args = ['-m', 'celery', '-A', 'tasks', 'worker', '--pool=threads', '--concurrency=2', '--without-gossip', '--without-mingle', '--without-heartbeat', '-n', `${options.name}@%h`, '-Q', options.queues ?? 'celery', '--loglevel=INFO'];
  const child = spawn(PYTHON, args, { cwd: FIXTURES, env: env(urls, { VISIBILITY_TIMEOUT: String(options.visibilityTimeoutS ?? 3600), ...(options.prefetchMultiplier === undefined ? {} : { PREFETCH: String(options.prefetchMultiplier) }) }), stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const end = (signal: NodeJS.Signals) => async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await gone;
  };
  const worker: CeleryWorker = { process: child, output: () => log, kill: end('SIGKILL'), stop: end('SIGTERM') };
  process.once('exit', () => child.kill('SIGKILL'));
  for (const started = Date.now(); !/ready\./.test(log); ) {
    if (child.exitCode !== null) throw new Error(`celery worker exited (${child.exitCode}):\n${log}`);
    if (Date.now() - started > 30_000) throw new Error(`celery worker not ready after 30 s:\n${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return worker;
}

/**
 * Runs `client.py` with a command (add, progress, fail, refused, wait <id>, send <task> <args JSON>);
 * resolves with the JSON line it prints. Tasks for Node go to `nodeQueue` (default `celery`).
 */
export function runCeleryClient<T>(urls: CeleryUrls & { readonly nodeQueue?: string }, ...args: string[]): Promise<T> {
  const extra = urls.nodeQueue === undefined ? {} : { NODE_QUEUE: urls.nodeQueue };
  return new Promise((resolve, reject) => {
    execFile(PYTHON, ['client.py', ...args], { cwd: FIXTURES, env: env(urls, extra), timeout: 60_000 }, (error, stdout, stderr) => {
      if (error !== null) reject(new Error(`client.py ${args.join(' ')} failed: ${error.message}\n${stderr}`));
      else resolve(JSON.parse(stdout.trim().split('\n').at(-1) ?? 'null') as T);
    });
  });
}

/**
 * What client.py's `refused` command sends to `node.add` (declared parameters `a`, `b`), each a
 * message a Celeriac worker must dead-letter, with the reason it must give.
 */
export const PYTHON_REFUSALS = {
  pickle: /only Celery's JSON serializer.*pickle is never accepted/,
  nan: /node\.add: args\[0\] is NaN, which JSON cannot carry/,
  infinity: /node\.add: kwargs\.b is Infinity, which JSON cannot carry/,
  bigint: /node\.add: args\[0\] is the integer 18446744073709551616, beyond 2\^53/,
  undeclared: /node\.add has no parameter "c" \(declared: a, b\)/,
} as const;
