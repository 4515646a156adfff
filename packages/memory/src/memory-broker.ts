import {
  type ConnectionListener,
  type Broker,
  type DeadLetter,
  type Delivery,
  type QueueInfo,
  type ReserveRequest,
  type RevokeListener,
  type TaskMessage,
  Wakeup,
  encodeTaskMessage,
} from '@celeriac/core/adapter';
import { admitInboxMessage, copyMessage } from './internal/inbox.js';
import { type MemoryBrokerOptions, DeadLetterQueue } from './internal/dead-letter-queue.js';
import { DelayedMessages } from './internal/delayed-messages.js';
import { RateWindows } from './internal/rate-window.js';
import { type QueuedMessage, ReadyQueue } from './internal/ready-queue.js';
import { purgeMessages, queueInfos, removeOnRevoke } from './internal/queue-admin.js';

interface InFlight {
  readonly queue: string;
  readonly entry: QueuedMessage;
}

/**
 * Tasks in this process's memory: the message half of `MemoryStore`, and a broker to pair with a
 * result backend through `splitStore` (e.g. in tests of a split set-up).
 * Arguments are copied on the way in and on the way out, like a real broker, so a task never
 * shares objects with its caller; the rest of a message is copied shallowly (its strings are
 * shared, which keeps their hashes cached for the result backend's lookups). Nothing survives the
 * process; use `@celeriac/redis` when that matters.
 */
export class MemoryBroker implements Broker {
  readonly #queues = new Map<string, ReadyQueue>();
  readonly #delayed = new DelayedMessages((queue, entry) => this.#queue(queue).push(entry), () => this.#wakeup.wakeAll());
  readonly #inFlight = new Map<string, InFlight>();
  readonly #revoked = new Set<string>();
  readonly #revokeListeners = new Set<RevokeListener>();
  readonly #deadLetters: DeadLetterQueue;
  /** Reserves waiting for work; a publish or a due delayed message wakes them. */
  readonly #wakeup = new Wakeup();
  readonly #rates = new RateWindows();
  #seq = 0;
  #receipts = 0;
  #closed = false;
  #inUse: ((id: string) => boolean) | undefined;
  #kept: ((message: TaskMessage) => void) | undefined;
  /** Paused queues: #take skips them, so no reserve returns their messages. */
  readonly #paused = new Set<string>();

  constructor(options: MemoryBrokerOptions = {}) {
    this.#deadLetters = new DeadLetterQueue(options);
  }

  async publish(messages: readonly TaskMessage[]): Promise<void> {
    this.publishNow(messages);
  }

  /** Puts a raw string on a queue, as a foreign producer could (see MemoryStore.injectRaw). */
  injectRaw(queue: string, raw: string): void {
    this.#queue(queue).push({ id: `raw-${++this.#seq}`, task: '', priority: 0, seq: this.#seq, message: undefined, raw, deliveries: 0 });
    this.#wakeup.wakeAll();
  }

  async reserve(request: ReserveRequest): Promise<Delivery[]> {
    this.#assertOpen();
    const deadline = Date.now() + request.waitMs;
    for (;;) {
      const taken = this.#take(request);
      const left = deadline - Date.now();
      if (taken.length > 0 || left <= 0 || request.signal?.aborted || this.#closed) return taken;
      // Wake on a publish, or when a rate-limited task's window lets one more through.
      await this.#wakeup.wait(Math.min(left, this.#rates.nextOpening(request.rateLimits)), request.signal);
    }
  }

  async ack(delivery: Delivery): Promise<void> {
    this.ackNow(delivery);
  }

  async holds(delivery: Delivery): Promise<boolean> {
    return this.holdsNow(delivery);
  }

  /**
   * `holds`, synchronously. A delivery's receipt is in flight from its reserve until it is
   * settled; nothing here expires (the deliveries live and die with this process).
   */
  holdsNow(delivery: Delivery): boolean {
    return this.#inFlight.has(delivery.receipt);
  }

  /** `ack`, synchronously: MemoryStore settles in one step with no await inside. */
  ackNow(delivery: Delivery): void {
    this.#inFlight.delete(delivery.receipt);
  }

  async requeue(delivery: Delivery, next: TaskMessage): Promise<void> {
    this.requeueNow(delivery, next);
  }

  /** `requeue`, synchronously (see ackNow). */
  requeueNow(delivery: Delivery, next: TaskMessage): void {
    this.#inFlight.delete(delivery.receipt);
    // A hand-back (same attempt) did not really run, so it does not count; a retry starts a fresh count.
    const deliveries = next.attempt === delivery.message.attempt ? delivery.deliveries - 1 : 0;
    this.#store(next.queue, copyMessage(next), deliveries);
  }

  async deadLetter(delivery: Delivery, reason: string): Promise<void> {
    const held = this.#inFlight.get(delivery.receipt);
    // Fenced: a delivery settled already (or handed back) is no longer this caller's to move.
    if (held === undefined) return;
    this.#inFlight.delete(delivery.receipt);
    const raw = held.entry.raw ?? encodeTaskMessage(held.entry.message ?? delivery.message);
    this.#deadLetters.add({ id: held.entry.id, queue: delivery.message.queue, raw, reason, deadAt: Date.now() });
  }

  async revoke(taskId: string, keepWorkflow?: boolean): Promise<TaskMessage | null> {
    return this.revokeNow(taskId, keepWorkflow === true);
  }

  /** `revoke`, synchronously (MemoryStore checks the record in the same step). */
  revokeNow(taskId: string, keepWorkflow: boolean): TaskMessage | null {
    const { found, kept } = removeOnRevoke(this.#queues.values(), this.#delayed, taskId, keepWorkflow);
    // A kept message is left for a worker, which must take it: its record refuses it instead.
    if (!kept) this.#revoked.add(taskId);
    for (const listener of this.#revokeListeners) listener(taskId);
    return found?.message === undefined ? null : copyMessage(found.message);
  }

  async isRevoked(taskId: string): Promise<boolean> {
    return this.#revoked.has(taskId);
  }

  async onRevoke(listener: RevokeListener): Promise<() => void> {
    this.#revokeListeners.add(listener);
    return () => this.#revokeListeners.delete(listener);
  }

  async deadLetters(limit = 100, offset = 0): Promise<DeadLetter[]> {
    return this.#deadLetters.page(limit, offset);
  }

  /** The message a dead letter holds, if it can be read and is the task's own (not a raw inbox message). */
  deadMessage(id: string): TaskMessage | undefined {
    return this.#deadLetters.message(id);
  }

  async retryDeadLetter(id: string, attempt?: number): Promise<boolean> {
    return this.retryDeadLetterNow(id, attempt);
  }

  /** `retryDeadLetter`, synchronously (MemoryStore reopens the record in the same step). */
  retryDeadLetterNow(id: string, attempt?: number): boolean {
    const message = this.#deadLetters.message(id);
    const dead = this.#deadLetters.take(id);
    if (dead === undefined) return false;
    // A raw inbox message (its letter id is not its task id) is validated again, as it arrived.
    if (message === undefined) this.injectRaw(dead.queue, dead.raw);
    else this.#store(dead.queue, attempt === undefined ? message : { ...message, attempt }, 0);
    return true;
  }

  async purgeDeadLetters(ids?: readonly string[]): Promise<number> {
    return this.#deadLetters.purge(ids);
  }

  async size(queue: string): Promise<number> {
    const delayed = this.#delayed.count(queue);
    return (this.#queues.get(queue)?.size ?? 0) + delayed;
  }

  /** Memory has no server to lose: the listener is never called. */
  onConnectionChange(_listener: ConnectionListener): () => void {
    return () => undefined;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#delayed.close();
    this.#wakeup.wakeAll();
  }

  /** `publish`, synchronously (see ackNow). */
  publishNow(messages: readonly TaskMessage[]): void {
    this.#assertOpen();
    for (const message of messages) this.#store(message.queue, copyMessage(message), 0);
  }

  #store(queue: string, message: TaskMessage, deliveries: number): void {
    if (this.#kept !== undefined) this.#kept(message);
    const entry: QueuedMessage = { id: message.id, task: message.task, priority: message.priority, seq: ++this.#seq, message, raw: undefined, deliveries };
    if (message.eta !== undefined && message.eta > Date.now()) {
      this.#delayed.push(queue, message.eta, entry);
      return;
    }
    this.#queue(queue).push(entry);
    this.#wakeup.wakeAll();
  }

  #take({ queues, tasks, max, rateLimits }: ReserveRequest): Delivery[] {
    this.#delayed.promoteDue();
    const now = Date.now();
    const capacity = new Map<string, number>();
    for (const [task, limit] of Object.entries(rateLimits ?? {})) capacity.set(task, this.#rates.capacity(task, limit, now));
    let eligible = tasks.filter((t) => capacity.get(t) !== 0);
    const taken: Delivery[] = [];
    for (const name of queues) {
      const queue = this.#queues.get(name);
      if (queue === undefined || (this.#paused.size > 0 && this.#paused.has(name))) continue;
      this.#deadLetterMalformed(name, queue);
      while (taken.length < max) {
        const entry = queue.shift(eligible);
        if (entry === undefined) break;
        if (this.#revoked.has(entry.id)) continue;
        const left = capacity.get(entry.task);
        if (left !== undefined) {
          this.#rates.record(entry.task, now);
          capacity.set(entry.task, left - 1);
          if (left === 1) eligible = eligible.filter((t) => t !== entry.task);
        }
        entry.deliveries++;
        const receipt = String(++this.#receipts);
        this.#inFlight.set(receipt, { queue: name, entry });
        taken.push({ message: copyMessage(entry.message as TaskMessage), deliveries: entry.deliveries, receipt });
      }
      if (taken.length >= max) break;
    }
    return taken;
  }

  /**
   * Raw messages are filed under task '' (their task is unknown); check them before serving. A
   * foreign message may not take over an id in use: it would replace a waiting task's arguments.
   */
  #deadLetterMalformed(name: string, queue: ReadyQueue): void {
    for (let entry = queue.shift(['']); entry !== undefined; entry = queue.shift([''])) {
      const raw = entry.raw as string;
      const admitted = admitInboxMessage(raw, (id) => this.#holds(id) || this.#inUse?.(id) === true);
      if ('message' in admitted) this.#store(name, admitted.message, 0);
      else this.#deadLetters.add({ id: entry.id, queue: name, raw, reason: admitted.reason, deadAt: Date.now() });
    }
  }

  /**
   * Tells the broker which ids have records, for its inbox check (MemoryStore's records; a broker
   * alone knows only the messages it holds).
   */
  checkInboxIdsWith(inUse: (id: string) => boolean): void {
    this.#inUse = inUse;
  }

  /** Tells the broker whom to give each message it stores (MemoryStore keeps it with the record). */
  keepMessagesWith(keep: (message: TaskMessage) => void): void {
    this.#kept = keep;
  }

  async queues(): Promise<QueueInfo[]> {
    return queueInfos(this.#queues, this.#delayed, this.#inFlight.values(), this.#paused);
  }

  async pauseQueue(queue: string, paused: boolean): Promise<void> {
    if (paused) this.#paused.add(queue);
    else if (this.#paused.delete(queue)) this.#wakeup.wakeAll();
  }

  async purgeQueue(queue: string, max: number): Promise<TaskMessage[]> {
    return this.purgeQueueNow(queue, max);
  }

  /** `purgeQueue`, synchronously (MemoryStore stores REVOKED in the same step). */
  purgeQueueNow(queue: string, max: number): TaskMessage[] {
    return purgeMessages(this.#queues.get(queue), this.#delayed, queue, max).map(copyMessage);
  }

  /** Whether a copy of `id` waits, is delayed or is being run. */
  #holds(id: string): boolean {
    for (const queue of this.#queues.values()) if (queue.has(id)) return true;
    for (const flight of this.#inFlight.values()) if (flight.entry.id === id) return true;
    return this.#delayed.has(id);
  }

  #queue(name: string): ReadyQueue {
    let queue = this.#queues.get(name);
    if (queue === undefined) {
      queue = new ReadyQueue();
      this.#queues.set(name, queue);
    }
    return queue;
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('MemoryBroker is closed');
  }
}

