import type { ReserveRequest, StartedDelivery } from '../contracts/broker.js';
import type { ApplyResult, StateUpdate } from '../contracts/record.js';
import type { TaskStore } from '../contracts/task-store.js';
import type { Logger } from '../context/logger.js';
import { DeliveryLimitError } from '../errors/delivery-limit-error.js';
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { LeaseLostError } from '../errors/lease-lost-error.js';
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
import { WorkerShutdownError } from '../errors/worker-shutdown-error.js';
import { Pools } from './pools/pools.js';
import { workerId } from './worker-id.js';

/** What a worker is built from: the store may still be connecting. */
export interface WorkerSource {
  connect(): Promise<TaskStore>;
  readonly registry: TaskRegistry;
  readonly logger: Logger;
  /** Tells the store which tasks this worker serves until the returned function is called (see task-announcements.ts). */
  announce?(store: TaskStore, tasks: readonly string[]): Promise<() => void>;
  /** Closes everything the process opened through the app (its store included), so the process can exit. */
  closeAll?(): Promise<void>;
}

interface Running extends Slotted {
  readonly delivery: StartedDelivery;
  readonly controller: LazyAbort;
  done: Promise<void>;
  handedBack: boolean;
  /** A write was refused for a lost lease: the run stores nothing more. */
  lost: boolean;
  /** The run is over and its slot free; the outcome is still on its way to the store. */
  settling: boolean;
}

const RESERVE_ERROR_BACKOFF_MS = [50, 200, 500, 1000, 2000];

/**
 * Consumes queues and runs tasks, at most `concurrency` at once, reserving only as many messages as
 * it has free slots (so nothing waits unacknowledged in this process while another worker is idle).
 */
export class Worker {
  /** Names this worker process in records, events and the admin API: `celeriac@<host>:<pid>:<random>`. */
  readonly id: string = workerId();
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
  #stopAnnouncing: (() => void) | undefined;
  #pools: Pools | undefined;

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
    // Runners first: a module that cannot be used stops start() before anything is reserved.
    this.#pools = await Pools.start(this.options, registry, tasks, logger);
    this.#env = { ...this.#env, pools: this.#pools };
    this.#stopAnnouncing = await this.#source.announce?.(store, tasks);
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

  /**
   * On the first SIGTERM/SIGINT: close gracefully (see `close()`), then close the app and its
   * store, the one you passed in included, so nothing keeps the process alive and it exits. A
   * second signal exits at once. Returns a function that removes the handlers.
   */
  closeOnSignals(signals: NodeJS.Signals[] = ['SIGTERM', 'SIGINT']): () => void {
    let received = 0;
    const handler = (signal: NodeJS.Signals) => {
      const logger = this.#source.logger;
      if (++received > 1) {
        logger.warn(`received ${signal} again: exiting without waiting for running tasks`);
        process.exit(1);
      }
      logger.info(`received ${signal}: closing worker`);
      void this.close()
        .then(() => this.#source.closeAll?.())
        .catch((error: unknown) => {
          logger.error('closing after a signal failed', { error: serializeError(error).message });
          process.exitCode = 1;
        });
    };
    for (const signal of signals) process.on(signal, handler);
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
        const request: ReserveRequest = { queues, tasks, max: free, waitMs: this.options.pollInterval, signal: stop, worker: this.id, ...(rateLimits === undefined ? {} : { rateLimits }) };
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
    const entry: Running = { delivery, controller, handedBack: false, lost: false, settling: false, done: Promise.resolve(), slot: -1 };
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
        const failed = await store.apply({ ...runUpdate(message, TaskStates.FAILURE), error: serializeError(error) }, delivery);
        if (failed.applied || failed.leaseLost !== true) await store.deadLetter(delivery, error.message);
        return;
      }
      await executeTask(this.#env, message, controller, this.#report(entry));
    } catch (error) {
      // Storage failed: leave the delivery unsettled. The store redelivers it when its lease ends.
      this.#env.logger.error(`could not settle task ${message.task}; it will be redelivered`, { id: message.id, error: serializeError(error).message });
    }
  }

  /**
   * How a run writes: every write carries its delivery, so the store refuses it once the lease is
   * lost (fencing, across processes). Once the delivery is handed back at shutdown, or a write was
   * refused for a lost lease, the delivery is no longer this run's: its signal is aborted with a
   * LeaseLostError and nothing more of it is sent to the store (the task runs again elsewhere).
   */
  #report(entry: Running): RunReport {
    const { store } = this.#env;
    const { delivery } = entry;
    const fenced = (result: ApplyResult): ApplyResult => {
      if (!result.applied && result.leaseLost === true) this.#leaseLost(entry);
      return result;
    };
    return {
      started: delivery.started,
      apply: async (update: StateUpdate): Promise<ApplyResult> => {
        if (entry.handedBack || entry.lost) return refusedByHandBack(store, update);
        return fenced(await store.apply(update, delivery));
      },
      settle: (update: StateUpdate, next?: TaskMessage): Promise<ApplyResult> => {
        if (entry.handedBack || entry.lost) return refusedByHandBack(store, update);
        // A settle refused for a lost lease needs no abort: the run is over. No extra promise step
        // here either: this runs for every task.
        const settled = store.settle(delivery, update, next);
        this.#freeSlot(entry, true);
        return settled;
      },
      ack: async () => {
        if (!entry.handedBack && !entry.lost) await store.ack(delivery);
      },
      deadLetter: async (reason: string) => {
        if (!entry.handedBack && !entry.lost) await store.deadLetter(delivery, reason);
      },
    };
  }

  /** The store refused a write of this run: its lease is gone, so is the run. */
  #leaseLost(entry: Running): void {
    if (entry.lost) return;
    entry.lost = true;
    const { message } = entry.delivery;
    this.#env.logger.warn(`task ${message.task} lost its lease; its writes are refused and it runs again elsewhere`, { id: message.id });
    entry.controller.abort(new LeaseLostError(message.id));
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
    this.#stopAnnouncing?.();
    this.#stopFetching.abort();
    this.#slotFreed?.();
    if (this.#loop === undefined) return;
    await this.#loop;
    const deadline = new Wakeup();
    await Promise.race([Promise.all(this.#running.toArray().map((e) => e.done)), deadline.wait(this.options.shutdownTimeout)]);
    deadline.wakeAll(); // clears the timer when the tasks finished first
    const left = this.#running.toArray();
    // All marked before any await, so no aborted run's late outcome is ever stored (see #report):
    // a run that ends while another is being handed back must not record FAILURE or RETRY.
    for (const entry of left) entry.handedBack = true;
    await Promise.all(left.map((entry) => this.#handBack(entry.delivery)));
    // Then told to stop; in a thread or process pool the runner is terminated.
    for (const entry of left) entry.controller.abort(new WorkerShutdownError());
    await this.#pools?.close();
    // Outcomes still on their way to the store: the stores must not close under them.
    if (this.#settlingCount > 0) await new Promise<void>((resolve) => (this.#allSettled = resolve));
    this.#unsubscribeRevoke?.();
  }
}

/** The write of a run that lost its delivery (handed back, or its lease lost), not sent: what the record holds now instead. */
async function refusedByHandBack(store: TaskStore, update: StateUpdate): Promise<ApplyResult> {
  return { applied: false, current: await store.get(update.id), leaseLost: true };
}
