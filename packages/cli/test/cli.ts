import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The built `celeriac` binary, run as a user runs it (build first: `pnpm build`). */
export const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
export const APP = `${FIXTURES}app.mjs`;

export interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** Spawns `celeriac <args>`; resolves when it exits. */
export function celeriac(args: readonly string[], options: CliOptions = {}): Promise<Ran> {
  return start(args, options).exited;
}

/** A running `celeriac` process (a worker, the scheduler) and what it printed so far. */
export interface Running {
  readonly child: ChildProcess;
  readonly out: { stdout: string; stderr: string };
  /** Resolves when the process has exited and its output is read. */
  readonly exited: Promise<Ran>;
  /** Resolves with the first stdout line that `match`es (parsed as JSON), rejects if the process exits first. */
  waitForLine(match: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Sends `signal` and resolves when the process exits. */
  stop(signal?: NodeJS.Signals): Promise<Ran>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export function start(args: readonly string[], options: CliOptions = {}): Running {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...options.env }, cwd: options.cwd ?? process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  const out = { stdout: '', stderr: '' };
  const exited = new Promise<Ran>((resolve) => {
    child.once('exit', (code, signal) => {
      running.delete(child);
      // Let the pipes drain: 'close' follows 'exit' once both streams end.
      child.once('close', () => resolve({ code, signal, ...out }));
    });
  });
  child.stdout?.on('data', (chunk: Buffer) => (out.stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (out.stderr += chunk.toString()));
  return {
    child,
    out,
    exited,
    waitForLine: (match, timeoutMs = 20_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          for (const line of out.stdout.split('\n')) {
            if (!line.startsWith('{')) continue;
            const parsed = JSON.parse(line) as Record<string, unknown>;
            if (match(parsed)) {
              cleanup();
              resolve(parsed);
              return;
            }
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no matching line within ${timeoutMs} ms:\n${out.stdout}\n${out.stderr}`));
        }, timeoutMs);
        const onExit = (code: number | null) => {
          cleanup();
          reject(new Error(`celeriac ${args.join(' ')} exited with ${code} first:\n${out.stdout}\n${out.stderr}`));
        };
        const cleanup = () => {
          clearTimeout(timer);
          child.stdout?.off('data', check);
          child.off('exit', onExit);
        };
        child.stdout?.on('data', check);
        child.once('exit', onExit);
        check();
      }),
    stop: (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Starts `celeriac worker --json` and waits for its ready line. */
export async function startWorker(args: readonly string[], options: CliOptions = {}): Promise<{ worker: Running; ready: Record<string, unknown> }> {
  const worker = start(['worker', '--app', APP, '--json', ...args], options);
  const ready = await worker.waitForLine((line) => line.event === 'worker-ready');
  return { worker, ready };
}
