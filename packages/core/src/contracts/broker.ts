import type { TaskMessage } from './message.js';
import type { ApplyResult } from './record.js';
import type { ConnectionListener } from './workers.js';
import type { QueueInfo } from './admin.js';

/** One reserved message. Hand it back with exactly one of ack / requeue / deadLetter. */
export interface Delivery {
  readonly message: TaskMessage;
  /** How many times this message has been delivered, this delivery included (1 on first delivery). */
  readonly deliveries: number;
  /** Opaque to core: whatever the broker needs to settle this delivery. */
  readonly receipt: string;
}

/** A delivery whose run the store marked STARTED as it reserved it (`TaskStore.reserve`). */
export interface StartedDelivery extends Delivery {
  /** What storing STARTED gave, as `apply({ id, state: 'STARTED', attempt })` would have. */
  readonly started: ApplyResult;
}

/** At most `limit` starts of a task per `intervalMs`, across every worker sharing the broker. */
export interface RateLimit {
  limit: number;
  intervalMs: number;
}

export interface ReserveRequest {
  /** Queues to take from, in order of preference. */
  queues: readonly string[];
  /** Only messages naming one of these tasks: a worker never takes a task it cannot run. */
  tasks: readonly string[];
  /** Take at most this many (the worker's free slots). */
  max: number;
  /**
   * Wait up to this long for a first message when none is ready, then return `[]`.
   * `0` returns at once.
   */
  waitMs: number;
  /** Aborting returns `[]` promptly (used at shutdown). Messages already taken are returned, not lost. */
  signal?: AbortSignal;
  /**
   * Per task name: a limit shared by all workers. A task over its limit stays in the broker (other
   * tasks are still served) until the window lets it through; the broker counts each delivery.
   */
  rateLimits?: Readonly<Record<string, RateLimit>>;
  /** The reserving worker's id (`Worker.id`), stored in the STARTED record of each message taken. */
  worker?: string;
}

/** A message that could not be processed, kept for inspection and re-queueing. */
export interface DeadLetter {
  /** The task id when the message could be read, else a broker-assigned id. */
  id: string;
  queue: string;
  /** The message as stored. */
  raw: string;
  reason: string;
  deadAt: number;
}

/** Called with the id of every task revoked anywhere, so a worker can abort it if it is running. */
export type RevokeListener = (taskId: string) => void;

/**
 * Where tasks wait between a producer and a worker, for a store that keeps messages apart from
 * task records (a Celery-style broker): `splitStore(broker, backend)` makes a `TaskStore` of it.
 *
 * Contract (checked by `brokerConformance` from `@celeriac/core/testing`):
 * - `publish` resolves only once every message is durably accepted; messages with a future `eta`
 *   are held by the broker and become reservable when due.
 * - `reserve` returns messages by priority (higher first), then FIFO; only for the named queues and tasks.
 * - A delivery not settled (worker died) is delivered again, with `deliveries` incremented.
 * - A revoked id is never delivered after `revoke` resolves.
 * - Malformed stored messages are dead-lettered by the broker with their reason, never returned.
 */
export interface Broker {
  publish(messages: readonly TaskMessage[]): Promise<void>;
  reserve(request: ReserveRequest): Promise<Delivery[]>;
  /**
   * Whether `delivery` still holds its lease (not settled, not expired, not taken by another
   * delivery), as far as the broker can tell: `splitStore` asks before each write it makes for a
   * delivery. A broker without leases answers whether the delivery is still unsettled.
   */
  holds(delivery: Delivery): Promise<boolean>;
  /** Done with it: the outcome is stored. Does nothing once the delivery no longer holds its lease. */
  ack(delivery: Delivery): Promise<void>;
  /** Atomically settle `delivery` and publish `next` in its place (retry, or hand back unstarted). */
  requeue(delivery: Delivery, next: TaskMessage): Promise<void>;
  /** Settle `delivery` by moving it to the dead-letter queue with a reason. */
  deadLetter(delivery: Delivery, reason: string): Promise<void>;
  /**
   * Mark an id revoked: waiting and delayed copies never run, running ones are told via
   * `onRevoke`. Resolves with the waiting or delayed message removed (`null` if none).
   *
   * With `keepWorkflow` (the caller has checked that the task's record is terminal, so it refuses
   * STARTED), a waiting or delayed message that carries a workflow (`carriesWorkflow`) is left in
   * its queue, the id is not marked, and the message is resolved all the same: the worker that
   * takes it ends its workflow (see `TaskStore.revoke`). Other messages are removed as without it.
   */
  revoke(taskId: string, keepWorkflow?: boolean): Promise<TaskMessage | null>;
  isRevoked(taskId: string): Promise<boolean>;
  /** Subscribe to revocations from any process. Returns an unsubscribe function. */
  onRevoke(listener: RevokeListener): Promise<() => void>;
  /** Messages in the dead-letter queue, oldest first: `limit` (default 100) from `offset` (default 0). */
  deadLetters(limit?: number, offset?: number): Promise<DeadLetter[]>;
  /**
   * Put a dead letter back on its queue (as a new first delivery). `attempt` replaces the message's
   * attempt when it can be read. Resolves false if the id is unknown.
   */
  retryDeadLetter(id: string, attempt?: number): Promise<boolean>;
  /** Delete the named dead letters (all if `ids` is omitted); resolves with how many were deleted. */
  purgeDeadLetters(ids?: readonly string[]): Promise<number>;
  /** Count of messages waiting (ready + delayed) in a queue, for monitoring and tests. */
  size(queue: string): Promise<number>;
  close(): Promise<void>;
  /** Calls `listener` whenever the broker loses or regains its server (never, without one). Returns an unsubscribe function. */
  onConnectionChange(listener: ConnectionListener): () => void;
  // Queues (the admin API, see TaskStore section 9)
  /** Every queue the broker knows (one a message was sent to, or paused), sorted by name. */
  queues(): Promise<QueueInfo[]>;
  /** Once a pause resolves, no reserve returns a message of the queue until it is resumed; publishes are still accepted. */
  pauseQueue(queue: string, paused: boolean): Promise<void>;
  /** Removes up to `max` waiting and delayed messages of a queue; resolves with them. */
  purgeQueue(queue: string, max: number): Promise<TaskMessage[]>;
}
