import {
  type Broker,
  type DeadLetter,
  type Delivery,
  type ReserveRequest,
  type RevokeListener,
  type TaskMessage,
  Wakeup,
  decodeTaskMessage,
  encodeTaskMessage,
} from '@celeriac/core/adapter';
import { MinHeap } from './internal/min-heap.js';
import { RateWindows } from './internal/rate-window.js';
import { type QueuedMessage, ReadyQueue } from './internal/ready-queue.js';

const MAX_TIMER_MS = 2 ** 31 - 1;

/** A message with its own copy of the arguments (they were checked to be JSON when enqueued). */
function copyMessage(message: TaskMessage): TaskMessage {
  return { ...message, args: message.args.length === 0 ? [] : (JSON.parse(JSON.stringify(message.args)) as unknown[]) };
}

interface Delayed {
  readonly queue: string;
  readonly eta: number;
  readonly entry: QueuedMessage;
}

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
  readonly #delayed = new MinHeap<Delayed>((d) => d.eta);
  readonly #inFlight = new Map<string, InFlight>();
  readonly #revoked = new Set<string>();
  readonly #revokeListeners = new Set<RevokeListener>();
  readonly #deadLetters: DeadLetter[] = [];
  /** Reserves waiting for work; a publish or a due delayed message wakes them. */
  readonly #wakeup = new Wakeup();
  readonly #rates = new RateWindows();
  #seq = 0;
  #receipts = 0;
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Number.POSITIVE_INFINITY;
  #closed = false;

  async publish(messages: readonly TaskMessage[]): Promise<void> {
    this.publishNow(messages);
  }

  /**
   * Puts a raw string on a queue, as a foreign producer could. For tests of malformed messages:
   * the next reserve on that queue dead-letters it with the reason.
   */
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
      await this.#wakeup.wait(Math.min(left, this.#nextRateOpening(request)), request.signal);
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
    this.#deadLetters.push({
      id: delivery.message.id,
      queue: delivery.message.queue,
      raw: held.entry.raw ?? encodeTaskMessage(held.entry.message ?? delivery.message),
      reason,
      deadAt: Date.now(),
    });
  }

  async revoke(taskId: string): Promise<void> {
    this.#revoked.add(taskId);
    for (const queue of this.#queues.values()) queue.remove(taskId);
    this.#delayed.removeWhere((d) => d.entry.id === taskId);
    for (const listener of this.#revokeListeners) listener(taskId);
  }

  async isRevoked(taskId: string): Promise<boolean> {
    return this.#revoked.has(taskId);
  }

  async onRevoke(listener: RevokeListener): Promise<() => void> {
    this.#revokeListeners.add(listener);
    return () => this.#revokeListeners.delete(listener);
  }

  async deadLetters(limit = 100): Promise<DeadLetter[]> {
    return this.#deadLetters.slice(0, limit);
  }

  async retryDeadLetter(id: string): Promise<boolean> {
    const index = this.#deadLetters.findIndex((d) => d.id === id);
    if (index < 0) return false;
    const [dead] = this.#deadLetters.splice(index, 1) as [DeadLetter];
    let message: TaskMessage | undefined;
    try {
      message = decodeTaskMessage(dead.raw);
    } catch {
      message = undefined;
    }
    if (message === undefined) this.injectRaw(dead.queue, dead.raw);
    else this.#store(dead.queue, message, 0);
    return true;
  }

  async size(queue: string): Promise<number> {
    const delayed = this.#delayed.toArray().filter((d) => d.queue === queue).length;
    return (this.#queues.get(queue)?.size ?? 0) + delayed;
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#wakeup.wakeAll();
  }

  /** `publish`, synchronously (see ackNow). */
  publishNow(messages: readonly TaskMessage[]): void {
    this.#assertOpen();
    for (const message of messages) this.#store(message.queue, copyMessage(message), 0);
  }

  #store(queue: string, message: TaskMessage, deliveries: number): void {
    const entry: QueuedMessage = { id: message.id, task: message.task, priority: message.priority, seq: ++this.#seq, message, raw: undefined, deliveries };
    if (message.eta !== undefined && message.eta > Date.now()) {
      this.#delayed.push({ queue, eta: message.eta, entry });
      this.#armTimer();
      return;
    }
    this.#queue(queue).push(entry);
    this.#wakeup.wakeAll();
  }

  #take({ queues, tasks, max, rateLimits }: ReserveRequest): Delivery[] {
    this.#promoteDue();
    const now = Date.now();
    const capacity = new Map<string, number>();
    for (const [task, limit] of Object.entries(rateLimits ?? {})) capacity.set(task, this.#rates.capacity(task, limit, now));
    let eligible = tasks.filter((t) => capacity.get(t) !== 0);
    const taken: Delivery[] = [];
    for (const name of queues) {
      const queue = this.#queues.get(name);
      if (queue === undefined) continue;
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

  /** Raw messages are filed under task '' (their task is unknown); check them before serving. */
  #deadLetterMalformed(name: string, queue: ReadyQueue): void {
    for (let entry = queue.shift(['']); entry !== undefined; entry = queue.shift([''])) {
      const raw = entry.raw as string;
      try {
        this.#store(name, decodeTaskMessage(raw), 0);
      } catch (error) {
        this.#deadLetters.push({ id: entry.id, queue: name, raw, reason: (error as Error).message, deadAt: Date.now() });
      }
    }
  }

  #nextRateOpening({ rateLimits }: ReserveRequest): number {
    let soonest = Number.POSITIVE_INFINITY;
    const now = Date.now();
    for (const [task, limit] of Object.entries(rateLimits ?? {})) {
      const wait = this.#rates.waitFor(task, limit, now);
      if (wait > 0) soonest = Math.min(soonest, wait);
    }
    return soonest;
  }

  #promoteDue(): void {
    const now = Date.now();
    for (let next = this.#delayed.peek(); next !== undefined && next.eta <= now; next = this.#delayed.peek()) {
      this.#delayed.pop();
      this.#queue(next.queue).push(next.entry);
    }
  }

  #armTimer(): void {
    const next = this.#delayed.peek();
    if (next === undefined || next.eta >= this.#timerAt) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timerAt = next.eta;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#timerAt = Number.POSITIVE_INFINITY;
      this.#promoteDue();
      this.#wakeup.wakeAll();
      this.#armTimer();
      // Node fires timers longer than 2^31-1 ms at once: wake early and re-arm instead.
    }, Math.min(MAX_TIMER_MS, Math.max(0, next.eta - Date.now())));
    this.#timer.unref?.();
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
