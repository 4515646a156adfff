import { type ChildProcess, fork } from 'node:child_process';

/** A Node script run as a child process for a test (a worker to kill, say). */
export interface NodeProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Its stdout and stderr so far. */
  output(): string;
  /** SIGKILL, as a crash would (nothing if it has ended); resolves once it is gone. */
  kill(): Promise<void>;
}

/**
 * Forks `script` with `config` as JSON in `CELERIAC_TEST_WORKER` and resolves once it sends
 * 'ready' over IPC (it runs as is: plain JS on built packages, not through vitest's transform).
 * `name` is for error messages.
 */
export async function startNodeProcess(script: string, config: unknown, name: string, readyTimeoutMs = 20_000): Promise<NodeProcess> {
  const child = fork(script, [], { env: { ...process.env, CELERIAC_TEST_WORKER: JSON.stringify(config) }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  process.once('exit', () => child.kill('SIGKILL'));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} not ready within ${readyTimeoutMs} ms:\n${output}`)), readyTimeoutMs);
    child.once('message', (message) => {
      clearTimeout(timer);
      if (message === 'ready') resolve();
      else reject(new Error(`${name} said ${String(message)}`));
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${String(code ?? signal)}) before it was ready:\n${output}`));
    });
  });
  return { child, exited, output: () => output, kill };
}
