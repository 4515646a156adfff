import type { ReserveRequest, StartedDelivery } from '../contracts/broker.js';
import type { ApplyResult, StateUpdate } from '../contracts/record.js';
import type { TaskStore } from '../contracts/task-store.js';
import type { Logger } from '../context/logger.js';
import { DeliveryLimitError } from '../errors/delivery-limit-error.js';
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { TaskRevokedError } from '../errors/revoked-error.js';
import { serializeError } from '../errors/serialize-error.js';
import type { TaskRegistry } from '../app/registry.js';
import { TaskStates } from '../state/states.js';
import { type ExecutionEnv, type RunReport, executeTask, runUpdate } from './execute-task.js';
import { storeDispatcher } from '../canvas/dispatch.js';
import type { TaskMessage } from '../contracts/message.js';
import { LazyAbort } from './lazy-abort.js';
import { RunningSet, type Slotted } from './running-set.js';
import { Wakeup } from '../adapters/wakeup.js';
import { type ResolvedWorkerOptions, type WorkerOptions, resolveWorkerOptions } from './worker-options.js';

/** What a worker is built from: the store may still be connecting. */
export interface WorkerSource {
  connect(): Promise<TaskStore>;
  readonly registry: TaskRegistry;
  readonly logger: Logger;
}

interface Running extends Slotted {
  readonly delivery: StartedDelivery;
  readonly controller: LazyAbort;
  done: Promise<void>;
  handedBack: boolean;
  /** The run is over and its slot free; the outcome is still on its way to the store. */
  settling: boolean;
}

const RESERVE_ERROR_BACKOFF_MS = [50, 200, 500, 1000, 2000];

/**
 * Consumes queues and runs tasks, at most `concurrency` at once, reserving only as many messages as
 * it has free slots (so nothing waits unacknowledged in this process while another worker is idle).
 */
export class Worker {
  readonly options: ResolvedWorkerOptions;
  readonly #source: WorkerSource;
  #env!: ExecutionEnv;
  readonly #running = new RunningSet<Running>();
  /** Runs that are over, their outcome on its way to the store: their slot is already free. */
  #settlingCount = 0;
  /** Set by a shutdown waiting for the last of those settles. */
  #allSettled: (() => void) | undefined;
  readonly #stopFetching = new AbortController();
  #loop: Promise<void> | undefined;
  #slotFreed: (() => void) | undefined;
  #unsubscribeRevoke: (() => void) | undefined;
  #closing: Promise<void> | undefined;

  constructor(source: WorkerSource, options?: WorkerOptions) {
    this.#source = source;
    this.options = resolveWorkerOptions(options);
  }

  /** Deliveries not yet settled: tasks running, and finished ones whose outcome is being stored. */
  get activeCount(): number {
    return this.#running.size + this.#settlingCount;
  }

  /** Starts consuming; resolves once the worker listens for revocations and has begun fetching. */
  async start(): Promise<void> {
    if (this.#loop !== undefined || this.#closing !== undefined) throw new Error('Worker already started');
    const { registry, logger } = this.#source;
    const store = await this.#source.connect();
    this.#env = { ...storeDispatcher(store), registry, logger, deadLetterFailures: this.options.deadLetterFailures };
    const tasks = registry.names();
    if (tasks.length === 0) {
      throw new InvalidOptionError('app.worker()', 'tasks', 'has nothing to run: register tasks (app.register / app.task) before starting a worker');
    }
    const queues = this.options.queues ?? registry.queues();
    this.#unsubscribeRevoke = await this.#env.store.onRevoke((id) => this.#abortRunning(id));
    this.#loop = this.#fetchLoop(queues, tasks);
  }

  /**
   * Graceful shutdown: stop fetching, let running tasks finish for up to `shutdownTimeout`, then
   * abort the rest and hand them back to the broker so another worker runs them. Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  /** Close gracefully on SIGTERM/SIGINT. Returns a function that removes the handlers. */
  closeOnSignals(signals: NodeJS.Signals[] = ['SIGTERM', 'SIGINT']): () => void {
    const handler = (signal: NodeJS.Signals) => {
      this.#env.logger.info(`received ${signal}: closing worker`);
      void this.close();
    };
    for (const signal of signals) process.once(signal, handler);
    return () => {
      for (const signal of signals) process.off(signal, handler);
    };
  }

  async #fetchLoop(queues: string[], tasks: string[]): Promise<void> {
    const stop = this.#stopFetching.signal;
    const rateLimits = this.#env.registry.rateLimits(tasks);
    let failures = 0;
    while (!stop.aborted) {
      const free = this.options.concurrency - this.#running.size;
      if (free <= 0) {
        await new Promise<void>((resolve) => {
          this.#slotFreed = resolve;
        });
        // Tasks tend to finish in bursts: let the burst end so one reserve fills many slots
        // instead of one round trip per slot. Costs one turn of the event loop.
        await new Promise<void>((resolve) => setImmediate(resolve));
        continue;
      }
      let deliveries: StartedDelivery[];
      try {
        const request: ReserveRequest = { queues, tasks, max: free, waitMs: this.options.pollInterval, signal: stop, ...(rateLimits === undefined ? {} : { rateLimits }) };
        deliveries = await this.#env.store.reserve(request);
        failures = 0;
      } catch (error) {
        const wait = RESERVE_ERROR_BACKOFF_MS[Math.min(failures++, RESERVE_ERROR_BACKOFF_MS.length - 1)] as number;
        this.#env.logger.error(`reserve failed; retrying in ${wait} ms`, { error: serializeError(error).message });
        await new Wakeup().wait(wait, stop);
        continue;
      }
      for (const delivery of deliveries) {
        if (stop.aborted) await this.#handBack(delivery);
        else this.#launch(delivery);
      }
    }
  }

  #launch(delivery: StartedDelivery): void {
    const controller = new LazyAbort();
    const entry: Running = { delivery, controller, handedBack: false, settling: false, done: Promise.resolve(), slot: -1 };
    this.#running.add(entry);
    entry.done = this.#process(entry).finally(() => {
      if (!entry.settling) return this.#freeSlot(entry, false);
      if (--this.#settlingCount === 0) this.#allSettled?.();
    });
  }

  /**
   * The run is over: its slot goes to the next task. Called as soon as the outcome is handed to the
   * store, so the next reserve goes out right behind the settle instead of a round trip later.
   */
  #freeSlot(entry: Running, settling: boolean): void {
    // Settling runs are counted, not kept in a collection: this runs for every task.
    this.#running.delete(entry);
    if (settling) {
      entry.settling = true;
      this.#settlingCount++;
    }
    const wake = this.#slotFreed;
    this.#slotFreed = undefined;
    wake?.();
  }

  async #process(entry: Running): Promise<void> {
    const { delivery, controller } = entry;
    const { store } = this.#env;
    const message = delivery.message;
    try {
      if (delivery.deliveries > this.options.maxDeliveries) {
        const error = new DeliveryLimitError(delivery.deliveries, this.options.maxDeliveries);
        await store.apply({ ...runUpdate(message, TaskStates.FAILURE), error: serializeError(error) });
        await store.deadLetter(delivery, error.message);
        return;
      }
      await executeTask(this.#env, message, controller, this.#report(entry));
    } catch (error) {
      // Storage failed: leave the delivery unsettled. The store redelivers it when its lease ends.
      this.#env.logger.error(`could not settle task ${message.task}; it will be redelivered`, { id: message.id, error: serializeError(error).message });
    }
  }

  /**
   * How a run settles its delivery. Once the delivery is handed back at shutdown it is no longer
   * this run's: its late outcome is not stored at all (the task runs again elsewhere).
   */
  #report(entry: Running): RunReport {
    const { store } = this.#env;
    const { delivery } = entry;
    return {
      started: delivery.started,
      settle: (update: StateUpdate, next?: TaskMessage): Promise<ApplyResult> => {
        if (entry.handedBack) return refusedByHandBack(store, update);
        const settled = store.settle(delivery, update, next);
        this.#freeSlot(entry, true);
        return settled;
      },
      ack: async () => {
        if (!entry.handedBack) await store.ack(delivery);
      },
      deadLetter: async (reason: string) => {
        if (!entry.handedBack) await store.deadLetter(delivery, reason);
      },
    };
  }

  #abortRunning(taskId: string): void {
    for (const entry of this.#running.toArray()) {
      if (entry.delivery.message.id === taskId) entry.controller.abort(new TaskRevokedError(taskId));
    }
  }

  /** A delivery not run to its end: back to its queue, its record back to PENDING, in one step. */
  async #handBack(delivery: StartedDelivery): Promise<void> {
    const { store } = this.#env;
    try {
      // A refused STARTED (revoked or finished) has nothing to run again: settled as it is.
      if (!delivery.started.applied) await store.ack(delivery);
      else await store.settle(delivery, { ...runUpdate(delivery.message, TaskStates.PENDING), meta: { reason: 'worker shut down' } }, delivery.message);
    } catch (error) {
      this.#env.logger.error('could not hand a task back; it will be redelivered when its lease ends', { id: delivery.message.id, error: serializeError(error).message });
    }
  }

  async #shutdown(): Promise<void> {
    this.#stopFetching.abort();
    this.#slotFreed?.();
    if (this.#loop === undefined) return;
    await this.#loop;
    const deadline = new Wakeup();
    await Promise.race([Promise.all(this.#running.toArray().map((e) => e.done)), deadline.wait(this.options.shutdownTimeout)]);
    deadline.wakeAll(); // clears the timer when the tasks finished first
    for (const entry of this.#running.toArray()) {
      // Marked first, so the aborted run's late outcome is never stored (see #report).
      entry.handedBack = true;
      await this.#handBack(entry.delivery);
      entry.controller.abort(new Error('worker shut down before the task finished; it was handed back to the store'));
    }
    // Outcomes still on their way to the store: the stores must not close under them.
    if (this.#settlingCount > 0) await new Promise<void>((resolve) => (this.#allSettled = resolve));
    this.#unsubscribeRevoke?.();
  }
}

/** A handed-back run's outcome, not stored: what the record holds now instead. */
async function refusedByHandBack(store: TaskStore, update: StateUpdate): Promise<ApplyResult> {
  return { applied: false, current: await store.get(update.id) };
}
