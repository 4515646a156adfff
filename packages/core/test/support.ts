import { MemoryStore } from '@celeriac/memory';
import { Celeriac, type TaskRecord, type WorkerOptions } from '../src/index.js';

/** An app on a fresh memory store, a started worker, and helpers to watch states. */
export async function startApp<T extends object>(instance: T, workerOptions: WorkerOptions = {}, prepare?: (store: MemoryStore) => void) {
  const store = new MemoryStore();
  prepare?.(store);
  const app = new Celeriac({ store });
  const tasks = app.register(instance);
  const worker = app.worker({ pollInterval: 50, ...workerOptions });
  await worker.start();
  /** Every state each task went through, in order. */
  const history = new Map<string, string[]>();
  const watch = async (id: string) => {
    history.set(id, []);
    await store.subscribe(id, (r: TaskRecord) => history.get(id)?.push(r.state));
  };
  const close = async () => {
    await app.close();
    await store.close();
  };
  return { app, tasks, worker, store, history, watch, close };
}

/** Resolves after the event loop has run pending callbacks and microtasks `n` times. */
export async function flush(n = 20): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

export function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Collects started apps so that afterEach can close them whatever a test's type parameters were. */
export function tracker() {
  const closers: (() => Promise<void>)[] = [];
  const track = async <S extends { close(): Promise<void> }>(started: Promise<S>): Promise<S> => {
    const value = await started;
    closers.push(() => value.close());
    return value;
  };
  return Object.assign(track, {
    closeAll: async () => {
      await Promise.all(closers.splice(0).map((close) => close()));
    },
  });
}
