import type { StartedDelivery } from '../contracts/broker.js';
import type { TaskMessage } from '../contracts/message.js';
import type { ApplyResult, StateUpdate } from '../contracts/record.js';
import type { WorkerTaskEvent } from '../events/event-types.js';
import type { LifecycleEvents } from '../events/lifecycle-events.js';
import { TaskStates, isUserState } from '../state/states.js';

/**
 * A worker's task events and counts, made from what its runs write (see run-report.ts): one place sees
 * every state a run stores, so no event is emitted from the code that runs tasks. Each method
 * counts what it sees for the heartbeat, then asks `wants`: with nobody listening, a run pays a counter check per write, and no payload,
 * promise or clock reading. The payloads of every task (received, started, succeeded, failed,
 * progress) are written out field by field: spreading a shared base object into each costs far
 * more than the fields themselves.
 */
export class WorkerTaskEvents {
  readonly #events: LifecycleEvents;
  readonly #worker: string;
  /** Runs that ended (any outcome, a retry included) and those that failed, for the worker's heartbeat. */
  processed = 0;
  failed = 0;

  constructor(events: LifecycleEvents, worker: string) {
    this.#events = events;
    this.#worker = worker;
  }

  /** A delivery was taken: received, and started if the reserve stored its STARTED. */
  received(delivery: StartedDelivery, at: number): void {
    const events = this.#events;
    const { message } = delivery;
    const worker = this.#worker;
    if (events.wants('task-received')) {
      events.emit('task-received', { taskId: message.id, task: message.task, attempt: message.attempt, worker, at, queue: message.queue, deliveries: delivery.deliveries });
    }
    if (delivery.started.applied && events.wants('task-started')) {
      const waitMs = Math.max(0, at - Math.max(message.createdAt, message.eta ?? 0));
      events.emit('task-started', { taskId: message.id, task: message.task, attempt: message.attempt, worker, at, queue: message.queue, waitMs });
    }
  }

  /** A state of a run started at `startedAt` was sent; its event goes out once the store accepted it. */
  wrote(message: TaskMessage, startedAt: number, update: StateUpdate, stored: Promise<ApplyResult>): void {
    const name = eventOf(update);
    if (name !== undefined && name !== 'task-progress') this.processed++;
    if (name === 'task-failed') this.failed++;
    if (name === undefined || !this.#events.wants(name)) return;
    stored.then(
      (result) => {
        if (result.applied) this.#emitWrite(message, startedAt, update);
      },
      () => undefined, // the worker logs storage failures
    );
  }

  /** A running task was told it is revoked. */
  revoked(message: TaskMessage): void {
    if (this.#events.wants('task-revoked')) this.#events.emit('task-revoked', { ...this.#base(message, Date.now()), reason: 'revoked' });
  }

  deadLettered(message: TaskMessage, reason: string): void {
    if (this.#events.wants('task-dead-lettered')) this.#events.emit('task-dead-lettered', { ...this.#base(message, Date.now()), reason });
  }

  #emitWrite(message: TaskMessage, startedAt: number, update: StateUpdate): void {
    const at = Date.now();
    const events = this.#events;
    const { id: taskId, task, attempt } = message;
    const worker = this.#worker;
    switch (update.state) {
      case TaskStates.SUCCESS:
        return events.emit('task-succeeded', { taskId, task, attempt, worker, at, runtimeMs: at - startedAt });
      case TaskStates.FAILURE:
        return events.emit('task-failed', { taskId, task, attempt, worker, at, runtimeMs: at - startedAt, error: update.error ?? { type: 'Error', message: 'failed' } });
      case TaskStates.RETRY: {
        const countdown = typeof update.meta?.countdown === 'number' ? update.meta.countdown : 0;
        return events.emit('task-retried', { ...this.#base(message, at), countdown, ...(update.error === undefined ? {} : { error: update.error }) });
      }
      case TaskStates.REVOKED:
        return events.emit('task-revoked', { ...this.#base(message, at), reason: typeof update.meta?.reason === 'string' ? update.meta.reason : 'revoked' });
      default: {
        const { state, meta } = update;
        return events.emit('task-progress', meta === undefined ? { taskId, task, attempt, worker, at, state } : { taskId, task, attempt, worker, at, state, meta });
      }
    }
  }

  #base(message: TaskMessage, at: number): WorkerTaskEvent {
    return { taskId: message.id, task: message.task, attempt: message.attempt, worker: this.#worker, at };
  }
}

/** The event a stored state makes, if any (a hand-back's PENDING makes none). */
function eventOf(update: StateUpdate) {
  switch (update.state) {
    case TaskStates.SUCCESS:
      return 'task-succeeded' as const;
    case TaskStates.FAILURE:
      return 'task-failed' as const;
    case TaskStates.RETRY:
      return 'task-retried' as const;
    case TaskStates.REVOKED:
      return 'task-revoked' as const;
    default:
      return isUserState(update.state) ? ('task-progress' as const) : undefined;
  }
}
