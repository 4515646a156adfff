import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker as Thread } from 'node:worker_threads';
import type { FromRunner, RunnerConfig, ToRunner } from './protocol.js';

/** One live runner, as the pool sees it: a thread or a child process. */
export interface RunnerHandle {
  send(message: ToRunner): void;
  /** Ends it now, whatever it is doing: `terminate()` for a thread, SIGKILL for a process. */
  kill(): void;
}

export interface RunnerEvents {
  message(message: FromRunner): void;
  /** Once, when it is gone, with why (exit code, signal, uncaught error). */
  exit(detail: string): void;
}

export type SpawnRunner = (config: RunnerConfig, events: RunnerEvents) => RunnerHandle;

/**
 * The runner's entry file. Core's tests run from TypeScript sources, but a thread or child process
 * runs plain Node, so it always loads the built JavaScript (`dist/`) next to the sources.
 */
function runnerEntry(): URL {
  const here = new URL('./runner-entry.js', import.meta.url);
  if (existsSync(fileURLToPath(here))) return here;
  return new URL(here.href.replace(/\/src\/(?!.*\/src\/)/, '/dist/'));
}

export const spawnThread: SpawnRunner = (config, events) => {
  const thread = new Thread(runnerEntry(), { workerData: config });
  let failure: string | undefined;
  thread.on('message', events.message);
  // An uncaught exception or out-of-memory arrives here before 'exit'.
  thread.on('error', (error: Error) => (failure ??= `${error.name}: ${error.message}`));
  thread.once('exit', (code) => events.exit(failure ?? `the thread exited with code ${code}`));
  return {
    send: (message) => thread.postMessage(message),
    kill: () => void thread.terminate(),
  };
};

export const spawnProcess: SpawnRunner = (config, events) => {
  const child = fork(fileURLToPath(runnerEntry()), [], {
    // Structured clone over IPC, as for threads: the same values arrive the same way in both pools.
    serialization: 'advanced',
    env: { ...process.env, CELERIAC_RUNNER: JSON.stringify(config) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let failure: string | undefined;
  child.on('message', (message) => events.message(message as FromRunner));
  child.on('error', (error) => (failure ??= error.message));
  child.once('exit', (code, signal) => events.exit(failure ?? (signal === null ? `the process exited with code ${code}` : `the process was killed by ${signal}`)));
  return {
    send: (message) => {
      // A child that just died has no channel; its 'exit' settles whatever it was running.
      if (child.connected) child.send(message, ignoreSendError);
    },
    kill: () => void child.kill('SIGKILL'),
  };
};

function ignoreSendError(): void {}
