import { hostname } from 'node:os';
import type { ReserveRequest, StartedDelivery } from '../contracts/broker.js';
import type { WorkerInfo } from '../contracts/workers.js';
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { LeaseLostError } from '../errors/lease-lost-error.js';
import type { CeleriacEventName, CeleriacListener } from '../events/event-types.js';
import { LifecycleEvents } from '../events/lifecycle-events.js';
import { coreVersion } from '../internal/version.js';
import { TaskRevokedError } from '../errors/revoked-error.js';
import { serializeError } from '../errors/serialize-error.js';
import { TaskStates } from '../state/states.js';
import { type ExecutionEnv, executeTask, runUpdate } from './execute-task.js';
import { storeDispatcher } from '../canvas/dispatch.js';
import { LazyAbort } from './lazy-abort.js';
import { RunningSet, type Slotted } from './running-set.js';
import { Wakeup } from '../adapters/wakeup.js';
import { type ResolvedWorkerOptions, type WorkerOptions, resolveWorkerOptions } from './worker-options.js';
import { WorkerShutdownError } from '../errors/worker-shutdown-error.js';
import { Pools } from './pools/pools.js';
import { workerId } from './worker-id.js';
import { failOverDeliveryLimit } from './dead-letter-failure.js';
import { logBanner } from './banner.js';
import { closeOnSignals } from './close-on-signals.js';
import { type RunHooks, bindRunReport } from './run-report.js';
import { WorkerTaskEvents } from './task-events.js';
import { type TracedRun, runTraced } from './trace-run.js';
import { type StaticInfo, WorkerPresence, workerInfo } from './worker-presence.js';
import type { WorkerSource } from './worker-source.js';

interface Running extends Slotted, TracedRun {
  readonly delivery: StartedDelivery;
  readonly controller: LazyAbort;
  done: Promise<void>;
  handedBack: boolean;
  /** A write was refused for a lost lease: the run stores nothing more. */
  lost: boolean;
  /** The run is over and its slot free; the outcome is still on its way to the store. */
  settling: boolean;
  /** When this worker took it, in ms since the epoch. */
  readonly startedAt: number;
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
  readonly #events: LifecycleEvents;
  readonly #taskEvents: WorkerTaskEvents;
  #presence: WorkerPresence | undefined;
  #info: StaticInfo | undefined;

  constructor(source: WorkerSource, options?: WorkerOptions) {
    this.#source = source;
    this.options = resolveWorkerOptions(options);
    this.#events = new LifecycleEvents(() => source.logger, source.events);
    if (source.stream !== undefined && this.options.events === true && !source.stream.enabled) this.#events.setSink(source.stream.stream.append);
    this.#taskEvents = new WorkerTaskEvents(this.#events, this.id);
  }

  /**
   * Calls `listener` with every `name` event of this worker (`task-received` … `worker-offline`,
   * see `CeleriacEvents`); `app.on` hears every worker of the app. Returns a function that removes it.
   */
  on<K extends CeleriacEventName>(name: K, listener: CeleriacListener<K>): () => void {
    return this.#events.on(name, listener);
  }

  off<K extends CeleriacEventName>(name: K, listener: CeleriacListener<K>): void {
    this.#events.off(name, listener);
  }

  /** What this worker tells `app.workers.list()` (its heartbeat); `undefined` before `start()`. */
  info(): WorkerInfo | undefined {
    return this.#info === undefined ? undefined : workerInfo(this.#info, this.#running.toArray(), this.#taskEvents);
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
    this.#env = { ...storeDispatcher(store, this.#source.tracing), registry, logger, deadLetterFailures: this.options.deadLetterFailures };
    const tasks = registry.names();
    if (tasks.length === 0) {
      throw new InvalidOptionError('app.worker()', 'tasks', 'has nothing to run: register tasks (app.register / app.task) before starting a worker');
    }
    const queues = this.options.queues ?? registry.queues();
    // Runners first: a module that cannot be used stops start() before anything is reserved.
    this.#pools = await Pools.start(this.options, registry, tasks, logger);
    this.#env = { ...this.#env, pools: this.#pools };
    this.#stopAnnouncing = await this.#source.announce?.(store, tasks, this.id);
    this.#unsubscribeRevoke = await this.#env.store.onRevoke((id) => this.#abortRunning(id));
    const { concurrency, pool, heartbeatInterval } = this.options;
    this.#info = { id: this.id, host: hostname(), pid: process.pid, version: coreVersion(), store: store.constructor.name, queues, tasks, concurrency, pool, startedAt: Date.now(), heartbeatInterval, events: this.options.events === true || this.#source.stream?.enabled === true };
    this.#presence = new WorkerPresence(store, () => this.info() as WorkerInfo, this.#events, logger, heartbeatInterval);
    await this.#presence.start();
    logBanner(logger, this.info() as WorkerInfo);
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
    return closeOnSignals(signals, this.#source.logger, () => this.close(), this.#source.closeAll);
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
    const entry: Running = { delivery, controller, handedBack: false, lost: false, settling: false, done: Promise.resolve(), slot: -1, startedAt: Date.now(), trace: undefined };
    this.#running.add(entry);
    this.#taskEvents.received(delivery, entry.startedAt);
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

  #process(entry: Running): Promise<void> {
    return runTraced(this.#source.tracing, entry, this.id, () => this.#run(entry));
  }

  async #run(entry: Running): Promise<void> {
    const { delivery, controller } = entry;
    const { store } = this.#env;
    const message = delivery.message;
    try {
      const report = bindRunReport(store, entry, this.#hooks);
      // A refused STARTED runs nothing, so it cannot be what kills workers: its workflow is ended
      // (executeTask) rather than dead-lettered with it.
      if (delivery.started.applied && delivery.deliveries > this.options.maxDeliveries) return await failOverDeliveryLimit(message, delivery.deliveries, this.options.maxDeliveries, report);
      await executeTask(this.#env, message, controller, report);
    } catch (error) {
      // Storage failed: leave the delivery unsettled. The store redelivers it when its lease ends.
      this.#env.logger.error(`could not settle task ${message.task}; it will be redelivered`, { id: message.id, error: serializeError(error).message });
      entry.trace?.end(error);
    }
  }

  /** What the worker does around each run's writes (see run-report.ts). */
  readonly #hooks: RunHooks<Running> = {
    freeSlot: (entry) => this.#freeSlot(entry, true),
    leaseLost: (entry) => this.#leaseLost(entry),
    wrote: (entry, update, stored) => (entry.trace?.stored(update), this.#taskEvents.wrote(entry.delivery.message, entry.startedAt, update, stored)),
    deadLettered: (entry, reason) => this.#taskEvents.deadLettered(entry.delivery.message, reason),
  };

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
      if (entry.delivery.message.id !== taskId) continue;
      entry.controller.abort(new TaskRevokedError(taskId));
      this.#taskEvents.revoked(entry.delivery.message);
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
    await this.#presence?.stop();
  }
}
