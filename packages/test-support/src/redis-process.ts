import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';

const live = new Set<ChildProcess>();
const dirs = new Set<string>();
process.once('exit', () => {
  // A test that forgot stop() must not leave servers or directories behind.
  for (const child of live) child.kill('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Removes `dir` when this process exits, unless {@link forgetDir} was called first (the owner removed it). */
export function removeDirAtExit(dir: string): void {
  dirs.add(dir);
}

export function forgetDir(dir: string): void {
  dirs.delete(dir);
}

export interface RedisProcessSpec {
  /** `redis-server` unless given. */
  readonly binary?: string | undefined;
  readonly args: readonly string[];
  /** What the process prints once it serves. */
  readonly readyText: string;
  readonly timeoutMs: number;
  /** For error messages: `redis-server on port 1234`. */
  readonly label: string;
}

/**
 * Spawns a redis-server (plain, cluster node or sentinel) and resolves once it printed
 * `readyText`; rejects with its output if it exits or times out first (then it is killed).
 * Killed at the latest when this process exits.
 */
export function spawnRedisProcess(spec: RedisProcessSpec): Promise<ChildProcess> {
  const child = spawn(spec.binary ?? 'redis-server', [...spec.args], { stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  child.once('exit', () => live.delete(child));
  return new Promise((resolve, reject) => {
    let output = '';
    const fail = (why: string) => {
      cleanup();
      child.kill('SIGKILL');
      reject(new Error(`${spec.label} ${why}. Its output:\n${output.slice(-2000)}`));
    };
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(spec.readyText)) {
        cleanup();
        // Keep draining the pipes so the server never blocks on a full one.
        child.stdout?.resume();
        child.stderr?.resume();
        resolve(child);
      }
    };
    const onError = (error: Error) => fail(`could not be spawned (${error.message}); is redis-server on PATH?`);
    const onExit = (code: number | null) => fail(`exited with code ${String(code)} before it was ready`);
    const timer = setTimeout(() => fail(`was not ready within ${spec.timeoutMs} ms`), spec.timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('error', onError);
      child.off('exit', onExit);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', onError);
    child.once('exit', onExit);
  });
}

/** Sends `signal` and resolves once the process exited (at once if it already had). */
export async function endProcess(child: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  await exited;
}

/**
 * The processes of a multi-server set-up (a cluster, a Sentinel set-up), by port, and the
 * directory they share.
 */
export class RedisProcesses {
  readonly #children = new Map<number, ChildProcess>();
  #stopped = false;

  constructor(readonly dir: string) {
    removeDirAtExit(dir);
  }

  add(port: number, child: ChildProcess): void {
    this.#children.set(port, child);
  }

  has(port: number): boolean {
    return this.#children.has(port);
  }

  /** SIGKILL of one process, as a crash would. */
  async kill(port: number): Promise<void> {
    const child = this.#children.get(port);
    this.#children.delete(port);
    await endProcess(child, 'SIGKILL');
  }

  /** Kills every process and removes the directory. Idempotent. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    const children = [...this.#children.values()];
    this.#children.clear();
    await Promise.all(children.map((child) => endProcess(child, 'SIGKILL')));
    forgetDir(this.dir);
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** Runs `redis-cli -h 127.0.0.1 -p <port> <args>` and resolves with its output (rejects on a failure or an error reply). */
export function redisCli(port: number, args: readonly string[], timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: timeoutMs }, (error, stdout, stderr) => {
      if (error !== null) {
        reject(new Error(`redis-cli -p ${port} ${args.join(' ')} failed: ${error.message}\n${stderr}${stdout}`));
        return;
      }
      // redis-cli exits 0 on an error reply; it prints "(error) ..." on a terminal, "ERR ..." here.
      if (/^(ERR|WRONGTYPE|NOAUTH|MOVED|CLUSTERDOWN|READONLY|NOREPLICAS|LOADING)\b/.test(stdout)) {
        reject(new Error(`redis-cli -p ${port} ${args.join(' ')}: ${stdout.trim()}`));
        return;
      }
      resolve(stdout);
    });
  });
}

/** Polls `check` until it holds, or rejects after `timeoutMs` naming `what`. */
export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      if (await check()) return;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const detail = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
