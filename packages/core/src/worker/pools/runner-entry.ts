import { parentPort, workerData } from 'node:worker_threads';
import type { TaskRegistry } from '../../app/registry.js';
import type { TaskMeta } from '../../contracts/record.js';
import type { TaskState } from '../../state/states.js';
import { NotRegisteredError } from '../../errors/not-registered-error.js';
import { SerializationError } from '../../errors/serialization-error.js';
import { serializeError } from '../../errors/serialize-error.js';
import { findNonJson } from '../../internal/json-check.js';
import { createContext } from '../create-context.js';
import { LazyAbort } from '../lazy-abort.js';
import { decideRetry } from '../retry-policy.js';
import { loadTaskModule } from './load-module.js';
import type { FromRunner, RunnerConfig, ToRunner } from './protocol.js';
import { abortReason, runnerHost } from './runner-context.js';

/**
 * The entry of a runner: a worker thread or a child process that runs one task at a time for the
 * worker. It loads the user's module (which registers the tasks), then runs what it is sent and
 * answers with the value or the verdict on the error. It owns no store connection: progress and
 * states go to the worker, which stores them.
 */

interface Channel {
  send(message: FromRunner): void;
  listen(handler: (message: ToRunner) => void): void;
}

function channel(): { config: RunnerConfig; channel: Channel } {
  if (parentPort !== null) {
    const port = parentPort;
    return { config: workerData as RunnerConfig, channel: { send: (m) => port.postMessage(m), listen: (h) => port.on('message', h) } };
  }
  if (process.send === undefined) throw new Error('runner-entry must be started by a Celeriac worker (as a thread or with an IPC channel)');
  const send = process.send.bind(process);
  // Orphaned (the worker died): nothing will ever collect this runner's results.
  process.once('disconnect', () => process.exit(0));
  return {
    config: JSON.parse(process.env.CELERIAC_RUNNER ?? '{}') as RunnerConfig,
    channel: { send: (m) => void send(m), listen: (h) => process.on('message', h as (m: unknown) => void) },
  };
}

const { config, channel: parent } = channel();
const isThread = parentPort !== null;
const loaded = await loadTaskModule(config.module);
if (typeof loaded === 'string') {
  parent.send({ type: 'load-failed', problem: loaded });
} else {
  serve(loaded);
  parent.send({ type: 'ready', tasks: loaded.names() });
}

function serve(registry: TaskRegistry): void {
  let current: { id: string; controller: LazyAbort } | undefined;
  const updates = new Map<number, () => void>();
  let calls = 0;
  const request = (id: string, state: TaskState, meta: TaskMeta | undefined) =>
    new Promise<void>((resolve) => {
      const call = ++calls;
      updates.set(call, resolve);
      parent.send({ type: 'update', id, call, state, meta });
    });

  parent.listen((message) => {
    if (message.type === 'updated') {
      updates.get(message.call)?.();
      updates.delete(message.call);
    } else if (message.type === 'abort') {
      if (current?.id === message.id) current.controller.abort(abortReason(message.cause));
    } else {
      const controller = new LazyAbort();
      current = { id: message.id, controller };
      const done = run(registry, message, controller, request);
      if (!(done instanceof Promise)) {
        // A synchronous task: answered in the same turn, no promise per task.
        current = undefined;
        parent.send(done);
        return;
      }
      void done.then((answer) => {
        current = undefined;
        parent.send(answer);
      });
    }
  });
}

type Run = Extract<ToRunner, { type: 'run' }>;

/** The run's answer: at once for a synchronous task, else once its promise settles. */
function run(registry: TaskRegistry, message: Run, controller: LazyAbort, request: Parameters<typeof runnerHost>[2]): FromRunner | Promise<FromRunner> {
  const definition = registry.get(message.task);
  if (definition === undefined) {
    return { type: 'done', id: message.id, ok: false, verdict: { retry: false, failure: serializeError(new NotRegisteredError(message.task)) }, memory: memory() };
  }
  const failed = (error: unknown): FromRunner => ({ type: 'done', id: message.id, ok: false, verdict: decideRetry(definition.options, error, message.attempt), memory: memory() });
  let value: unknown;
  try {
    const context = definition.options.bind ? [createContext(runnerHost(parent.send, message, request), message, definition.options.retries, controller)] : [];
    value = definition.run(...context, ...message.args);
    if (typeof (value as PromiseLike<unknown> | null)?.then !== 'function') return succeeded(message, value);
  } catch (error) {
    return failed(error);
  }
  return Promise.resolve(value).then(
    (result) => {
      try {
        return succeeded(message, result);
      } catch (error) {
        return failed(error);
      }
    },
    failed,
  );
}

/** A result that does not survive JSON must fail as it does inline, not arrive changed: throws SerializationError. */
function succeeded(message: Run, result: unknown): FromRunner {
  const problem = result === undefined ? undefined : findNonJson(result, 'result');
  if (problem !== undefined) throw new SerializationError(`The result of ${message.task}`, problem);
  return { type: 'done', id: message.id, ok: true, result, memory: memory() };
}

/** What `maxMemoryPerRunner` is compared with: a thread's own heap, or a process's resident memory. */
function memory(): number {
  if (!config.measureMemory) return 0;
  return isThread ? process.memoryUsage().heapUsed : process.memoryUsage.rss();
}
