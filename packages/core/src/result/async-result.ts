import type { SerializedError, TaskMeta, TaskRecord } from '../contracts/record.js';
import type { TaskStore } from '../contracts/task-store.js';
import { TaskFailedError } from '../errors/task-failed-error.js';
import { TaskRevokedError } from '../errors/revoked-error.js';
import { UnknownTaskError } from '../errors/unknown-task-error.js';
import { WaitTimeoutError } from '../errors/wait-timeout-error.js';
import { type TaskState, TaskStates, isTerminal } from '../state/states.js';
import { UpdateQueue } from './update-queue.js';
import { optionChecker } from '../options/task-options.js';

/** What an AsyncResult needs from its app. */
export interface ResultSource {
  /** The store; synchronously once the app's store is ready (saves a promise per wait). */
  store(): TaskStore | Promise<TaskStore>;
  revoke(id: string): Promise<void>;
  /** A live worker announcing it serves `task`, or null if none does (see task-announcements.ts). */
  servedBy?(task: string): Promise<string | null>;
}

/** How long a timed-out wait spends finding out why, before it gives its answer anyway. */
const EXPLAIN_TIMEOUT_MS = 1_000;

export interface WaitOptions {
  /** Give up after this many ms with a `WaitTimeoutError` (the task goes on). */
  timeout?: number;
  signal?: AbortSignal;
}

/**
 * A handle on one task's outcome (Celery's AsyncResult). `state` and `info` show the newest record
 * this object has seen; `refresh()` reads the store, and `wait()`/`updates()` follow it live.
 * Following is event-driven: subscribe first, then read, so a task that already finished is seen.
 */
export class AsyncResult<R = unknown> {
  #record: TaskRecord | null = null;

  constructor(
    readonly id: string,
    private readonly source: ResultSource,
    record?: TaskRecord,
  ) {
    if (record !== undefined) this.#record = record;
  }

  /** The newest record seen, or null if none has been read yet (or the id is unknown). */
  get record(): TaskRecord | null {
    return this.#record;
  }

  /**
   * PENDING until a record says otherwise, as in Celery: an id with no record (never enqueued, or
   * expired) also reads PENDING here. `exists()` tells the two apart, and `wait()` rejects with
   * `UnknownTaskError` for an id with no record.
   */
  get state(): TaskState {
    return this.#record?.state ?? TaskStates.PENDING;
  }

  /** Celery's `info`: the result on SUCCESS, the error on FAILURE, else the latest meta (progress). */
  get info(): R | SerializedError | TaskMeta | undefined {
    const record = this.#record;
    if (record === null) return undefined;
    if (record.state === TaskStates.SUCCESS) return record.result as R;
    if (record.state === TaskStates.FAILURE) return record.error;
    return record.meta;
  }

  ready(): boolean {
    return isTerminal(this.state);
  }

  successful(): boolean {
    return this.state === TaskStates.SUCCESS;
  }

  failed(): boolean {
    return this.state === TaskStates.FAILURE;
  }

  /** Whether the store has a record for this id; false for an id never enqueued, expired or forgotten. Reads the store. */
  async exists(): Promise<boolean> {
    const store = await this.source.store();
    const record = await store.get(this.id);
    if (record !== null) this.observe(record);
    return record !== null;
  }

  /** Read the stored record now. */
  async refresh(): Promise<this> {
    const store = await this.source.store();
    const record = await store.get(this.id);
    if (record !== null) this.observe(record);
    return this;
  }

  /**
   * Resolves with the result once the task succeeds; rejects with `TaskFailedError` or
   * `TaskRevokedError`, with `UnknownTaskError` at once if the id has no record (never enqueued,
   * expired or forgotten), and with `WaitTimeoutError` after `timeout`, saying what is known.
   */
  async wait(options: WaitOptions = {}): Promise<R> {
    const record = await this.waitForEnd(options);
    if (record.state === TaskStates.SUCCESS) return record.result as R;
    if (record.state === TaskStates.REVOKED) {
      throw new TaskRevokedError(this.id, typeof record.meta?.reason === 'string' ? record.meta.reason : 'revoked');
    }
    throw new TaskFailedError(this.id, record.error ?? { type: 'Error', message: 'unknown failure' });
  }

  /** Celery's name for `wait`. */
  get(options: WaitOptions = {}): Promise<R> {
    return this.wait(options);
  }

  /** Delete the stored record. */
  async forget(): Promise<void> {
    const store = await this.source.store();
    await store.forget(this.id);
    this.#record = null;
  }

  /** Stop the task: it never starts if waiting, and its signal is aborted if running. */
  revoke(): Promise<void> {
    return this.source.revoke(this.id);
  }

  /**
   * Every change from now on, starting with the current record, in `seq` order without duplicates,
   * ending after a terminal state. Breaking out of the loop unsubscribes.
   */
  async *updates(options: { signal?: AbortSignal } = {}): AsyncGenerator<TaskRecord, void, undefined> {
    const store = await this.source.store();
    const queue = new UpdateQueue();
    const unsubscribe = await store.subscribe(this.id, (record) => queue.push(record));
    const onAbort = () => queue.close();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.signal?.aborted) queue.close(); // aborted while the subscription was being set up
    try {
      const current = await store.get(this.id);
      if (current !== null) queue.push(current);
      for await (const record of queue) {
        this.observe(record);
        yield record;
        if (isTerminal(record.state)) return;
      }
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
      unsubscribe();
    }
  }

  /** Calls `listener` for every change (see `updates()`); returns a function that stops listening. */
  subscribe(listener: (record: TaskRecord) => void, onError?: (error: unknown) => void): () => void {
    const controller = new AbortController();
    void (async () => {
      for await (const record of this.updates({ signal: controller.signal })) listener(record);
    })().catch((error: unknown) => onError?.(error));
    return () => controller.abort();
  }

  /**
   * Subscribe, then read: a record stored before the subscription is found by the read, one stored
   * after it arrives as an event. Plain callbacks rather than `updates()`: this is the hot path of
   * every `wait()`, and an async generator per wait costs more than the task itself.
   */
  private waitForEnd({ timeout, signal }: WaitOptions): Promise<TaskRecord> {
    if (this.#record !== null && isTerminal(this.#record.state)) return Promise.resolve(this.#record);
    if (timeout !== undefined) optionChecker('AsyncResult.wait()').timerMs('timeout', timeout);
    const source = this.source.store();
    return source instanceof Promise ? source.then((store) => this.follow(store, timeout, signal)) : this.follow(source, timeout, signal);
  }

  /** Subscribe, then read; settles on the first terminal record, the timeout or the signal. */
  private follow(store: TaskStore, timeout: number | undefined, signal: AbortSignal | undefined): Promise<TaskRecord> {
    return new Promise<TaskRecord>((resolve, reject) => {
      let settled = false;
      let unsubscribe: (() => void) | undefined;
      let timer: NodeJS.Timeout | undefined;
      const finish = (error: unknown, record?: TaskRecord) => {
        if (settled) return;
        settled = true;
        unsubscribe?.();
        if (timer !== undefined) clearTimeout(timer);
        if (signal !== undefined) signal.removeEventListener('abort', onAbort);
        if (record === undefined) reject(error);
        else resolve(record);
      };
      const onRecord = (record: TaskRecord) => {
        this.observe(record);
        if (isTerminal(record.state)) finish(undefined, record);
      };
      const onAbort = () => finish(signal?.reason);
      const fail = (error: unknown) => finish(error);
      if (signal !== undefined) {
        if (signal.aborted) return finish(signal.reason);
        signal.addEventListener('abort', onAbort, { once: true });
      }
      if (timeout !== undefined) {
        timer = setTimeout(() => {
          this.timedOut(timeout).then(fail, fail);
        }, timeout);
      }
      store.subscribe(this.id, onRecord).then((stop) => {
        if (settled) return stop();
        unsubscribe = stop;
        store.get(this.id).then((current) => {
          if (current !== null) onRecord(current);
          else finish(new UnknownTaskError(this.id));
        }, fail);
      }, fail);
    });
  }

  /** The error of a wait that timed out, saying what is known: the state, and for a PENDING task whether any worker serves it. */
  private async timedOut(timeout: number): Promise<WaitTimeoutError> {
    const record = this.#record;
    if (record === null) return new WaitTimeoutError(this.id, timeout, 'no record of it was seen');
    if (record.state !== TaskStates.PENDING || this.source.servedBy === undefined) {
      return new WaitTimeoutError(this.id, timeout, `it is ${record.state}${record.worker === undefined ? '' : ` on worker ${record.worker}`}`);
    }
    let timer: NodeJS.Timeout | undefined;
    const unknown = new Promise<undefined>((resolve) => {
      timer = setTimeout(resolve, EXPLAIN_TIMEOUT_MS, undefined);
    });
    const worker = await Promise.race([this.source.servedBy(record.task).catch(() => undefined), unknown]);
    clearTimeout(timer);
    if (worker === null) return new WaitTimeoutError(this.id, timeout, `it is PENDING and no live worker serves ${record.task}: start a worker that registers it`);
    if (worker === undefined) return new WaitTimeoutError(this.id, timeout, 'it is PENDING');
    return new WaitTimeoutError(this.id, timeout, `it is PENDING, waiting for a free worker (${record.task} is served, e.g. by ${worker})`);
  }

  private observe(record: TaskRecord): void {
    if (this.#record === null || record.seq > this.#record.seq) this.#record = record;
  }
}
