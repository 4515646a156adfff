import { Celeriac, type LogFields, type Logger, type TaskContext, type TaskStore, type TaskRecord, task } from '@celeriac/core';
import { MemoryStore } from '@celeriac/memory';
import { Gate } from './gate.js';

export interface LogEntry {
  level: keyof Logger;
  message: string;
  fields: LogFields | undefined;
}

/** A logger that keeps what it is told, so tests can assert on warnings (and stay quiet). */
export function recordingLogger(): Logger & { entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const at = (level: keyof Logger) => (message: string, fields?: LogFields) => {
    entries.push({ level, message, fields });
  };
  return { entries, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** The seed's long task, stepped by a `Gate` so tests control exactly when progress happens. */
export function defineTasks(gate: Gate) {
  class LongTasks {
    @task({ name: 'long', bind: true })
    async long(ctx: TaskContext, total: number): Promise<number> {
      for (let step = 1; step <= total; step++) {
        await gate.pass(ctx.id, ctx.signal);
        await ctx.progress(step, total, `step ${step} of ${total}`);
      }
      await gate.pass(ctx.id, ctx.signal);
      return 42;
    }

    @task({ name: 'boom' })
    async boom(message: string): Promise<never> {
      throw new TypeError(message);
    }
  }
  return LongTasks;
}

/**
 * An app with a running worker, on a fresh memory store or on a `given` one; `close()` ends the
 * app, and the store only if it made it.
 */
export async function startTestApp(given?: TaskStore) {
  const store = given ?? new MemoryStore();
  const logger = recordingLogger();
  const app = new Celeriac({ store, logger });
  const gate = new Gate();
  const tasks = app.register(new (defineTasks(gate))());
  const worker = app.worker({ concurrency: 8, shutdownTimeout: 50, pollInterval: 50 });
  await worker.start();
  return {
    app,
    gate,
    tasks,
    logger,
    /** The app's store, for a second "process" (another app) sharing it. */
    store,
    /** Enqueues a long task and waits until it is running (STARTED), so its next step is ours to open. */
    async startLong(total: number): Promise<string> {
      const result = await tasks.long.delay(total);
      await waitForRecord(app, result.id, (r) => r.state === 'STARTED');
      return result.id;
    },
    async close(): Promise<void> {
      await app.close();
      if (given === undefined) await store.close();
    },
  };
}

export type TestApp = Awaited<ReturnType<typeof startTestApp>>;

/** Resolves with the first stored record of `id` matching `predicate` (current or later). */
export async function waitForRecord(app: Celeriac, id: string, predicate: (record: TaskRecord) => boolean, timeoutMs = 5_000): Promise<TaskRecord> {
  for await (const record of app.result(id).updates({ signal: AbortSignal.timeout(timeoutMs) })) {
    if (predicate(record)) return record;
  }
  throw new Error(`task ${id} never reached the expected state within ${timeoutMs} ms`);
}
