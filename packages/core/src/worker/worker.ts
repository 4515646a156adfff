import type { Broker, CombinedStore, Delivery, ReserveRequest, StartedDelivery } from '../contracts/broker.js';
import type { ResultBackend } from '../contracts/result-backend.js';
import type { Logger } from '../context/logger.js';
import { DeliveryLimitError } from '../errors/delivery-limit-error.js';
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { TaskRevokedError } from '../errors/revoked-error.js';
import { serializeError } from '../errors/serialize-error.js';
import type { TaskRegistry } from '../app/registry.js';
import { TaskStates } from '../state/states.js';
import { type Settle, executeTask, runUpdate } from './execute-task.js';
import { createDispatcher } from '../canvas/dispatch.js';
import type { TaskMessage } from '../contracts/message.js';
import { LazyAbort } from './lazy-abort.js';
import { RunningSet, type Slotted } from './running-set.js';
import { Wakeup } from '../adapters/wakeup.js';
import { type ResolvedWorkerOptions, type WorkerOptions, resolveWorkerOptions } from './worker-options.js';

export interface Stores {
  readonly broker: Broker;
  readonly backend: ResultBackend;
}

export interface WorkerEnv extends Stores {
  readonly registry: TaskRegistry;
  readonly logger: Logger;
  dispatch(messages: TaskMessage[]): Promise<void>;
}

/** What a worker is built from: the stores may still be connecting. */
export interface WorkerSource {
  connect(): Promise<Stores>;
  readonly registry: TaskRegistry;
  readonly logger: Logger;
}

interface Running extends Slotted {
  readonly delivery: Delivery | StartedDelivery;
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
  #env!: WorkerEnv;
  /** The broker's one-step store-and-settle, when it offers one for this backend. */
  #combined: CombinedStore | undefined;
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
    const stores = await this.#source.connect();
    this.#env = { ...stores, registry, logger, dispatch: createDispatcher(stores.backend, (messages) => stores.broker.publish(messages)) };
    this.#combined = stores.broker.combinedWith?.(stores.backend);
    const tasks = registry.names();
    if (tasks.length === 0) {
      throw new InvalidOptionError('app.worker()', 'tasks', 'has nothing to run: register tasks (app.register / app.task) before starting a worker');
    }
    const queues = this.options.queues ?? registry.queues();
    this.#unsubscribeRevoke = await this.#env.broker.onRevoke((id) => this.#abortRunning(id));
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
      let deliveries: (Delivery | StartedDelivery)[];
      try {
        const request: ReserveRequest = { queues, tasks, max: free, waitMs: this.options.pollInterval, signal: stop, ...(rateLimits === undefined ? {} : { rateLimits }) };
        // With the combined store's reserveStarted, STARTED is stored in the same step as the reserve.
        deliveries = await (this.#combined?.reserveStarted === undefined ? this.#env.broker.reserve(request) : this.#combined.reserveStarted(request));
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

  #launch(delivery: Delivery): void {
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
    const { broker, backend } = this.#env;
    const message = delivery.message;
    try {
      if (delivery.deliveries > this.options.maxDeliveries) {
        const error = new DeliveryLimitError(delivery.deliveries, this.options.maxDeliveries);
        await backend.apply({ ...runUpdate(message, TaskStates.FAILURE), error: serializeError(error) });
        await broker.deadLetter(delivery, error.message);
        return;
      }
      const started = 'started' in delivery ? delivery.started : undefined;
      const outcome = await executeTask(this.#env, message, controller, this.#settler(entry), started);
      if (entry.handedBack || outcome.kind === 'settled') return;
      if (outcome.kind === 'retry') await broker.requeue(delivery, outcome.next);
      else await broker.ack(delivery);
    } catch (error) {
      // Storage failed: leave the delivery unsettled. The broker redelivers it when its lease ends.
      this.#env.logger.error(`could not settle task ${message.task}; it will be redelivered`, { id: message.id, error: serializeError(error).message });
    }
  }

  /**
   * Store-and-settle for one delivery. Once the delivery is handed back at shutdown it is no longer
   * this run's to settle: the (refused) outcome is only stored, as without a combined store.
   */
  #settler(entry: Running): Settle | undefined {
    const combined = this.#combined;
    if (combined === undefined) return undefined;
    return (update, next) => {
      if (entry.handedBack) return this.#env.backend.apply(update);
      const settled = combined.settle(entry.delivery, update, next);
      this.#freeSlot(entry, true);
      return settled;
    };
  }

  #abortRunning(taskId: string): void {
    for (const entry of this.#running.toArray()) {
      if (entry.delivery.message.id === taskId) entry.controller.abort(new TaskRevokedError(taskId));
    }
  }

  async #handBack(delivery: Delivery | StartedDelivery): Promise<void> {
    try {
      // Marked STARTED by the reserve but never run: its record goes back to PENDING with it.
      if ('started' in delivery && delivery.started.applied) await this.#markHandedBack(delivery.message);
      await this.#env.broker.requeue(delivery, delivery.message);
    } catch (error) {
      this.#env.logger.error('could not hand a task back; it will be redelivered when its lease ends', { id: delivery.message.id, error: serializeError(error).message });
    }
  }

  async #markHandedBack(message: TaskMessage): Promise<void> {
    await this.#env.backend.apply({ ...runUpdate(message, TaskStates.PENDING), meta: { reason: 'worker shut down' } }).catch(() => undefined);
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
      const { message } = entry.delivery;
      entry.handedBack = true;
      // PENDING first, so the aborted run's late outcome is refused by the state machine.
      await this.#markHandedBack(message);
      entry.controller.abort(new Error('worker shut down before the task finished; it was handed back to the broker'));
      await this.#handBack({ message, deliveries: entry.delivery.deliveries, receipt: entry.delivery.receipt });
    }
    // Outcomes still on their way to the store: the stores must not close under them.
    if (this.#settlingCount > 0) await new Promise<void>((resolve) => (this.#allSettled = resolve));
    this.#unsubscribeRevoke?.();
  }
}
