import { type QueueInfo, type TaskMessage, carriesWorkflow } from '@celeriac/core/adapter';
import type { Redis } from 'ioredis';
import type { CeleryKeys } from './keys.js';
import { queueLists } from './kombu.js';
import type { ResolvedCeleryRedisOptions } from './options.js';
import type { Scripts } from './scripts.js';

/**
 * Messages read from the oldest end of each list to tell delayed (a future `eta`) from waiting:
 * an ETA message further in counts as waiting. Celery keeps ETA messages in the queue as any other.
 */
const ETA_SCAN = 1_000;

/**
 * TaskStore section 9's queue half on kombu's layout. The queues listed are those a Celeriac
 * process sent to, served or paused (`celeriac.queues`), and the broker's `queues` option: kombu
 * keeps no list of queues Celeriac could read (a queue only Python uses is listed once named).
 * A pause is `celeriac.paused`, which Celeriac's reserve checks in its own step; Celery workers
 * never read it and go on consuming a paused queue.
 */
export class CeleryQueueAdmin {
  /** Queues this process has filed in `celeriac.queues` (so each costs one SADD per process). */
  readonly #registered = new Set<string>();

  constructor(
    private readonly redis: Redis,
    private readonly keys: CeleryKeys,
    private readonly scripts: Scripts,
    private readonly options: ResolvedCeleryRedisOptions,
    private readonly decode: (raw: string) => TaskMessage,
  ) {}

  /** The queues not filed yet by this process, marked as filed (the caller adds them to `celeriac.queues`). */
  unregistered(queues: Iterable<string>): string[] {
    const fresh: string[] = [];
    for (const queue of queues) {
      if (this.#registered.has(queue)) continue;
      this.#registered.add(queue);
      fresh.push(queue);
    }
    return fresh;
  }

  async pause(queue: string, paused: boolean): Promise<void> {
    const step = this.redis.multi().sadd(this.keys.queues, queue);
    if (paused) step.sadd(this.keys.paused, queue);
    else step.srem(this.keys.paused, queue);
    await step.exec();
  }

  async queues(): Promise<QueueInfo[]> {
    const [known, paused] = await Promise.all([this.redis.smembers(this.keys.queues), this.redis.smembers(this.keys.paused)]);
    const names = [...new Set([...known, ...paused, ...this.options.queues])].sort();
    const pausedSet = new Set(paused);
    return Promise.all(names.map((name) => this.#info(name, pausedSet.has(name))));
  }

  async #info(name: string, paused: boolean): Promise<QueueInfo> {
    const lists = queueLists(name, this.options.prioritySteps).map((l) => this.keys.list(l));
    const [counts, ...scans] = await Promise.all([
      this.scripts.run('countQueueStates', [this.keys.unacked, this.keys.parked, ...lists], [name]) as Promise<number[]>,
      ...lists.map((list) => this.redis.lrange(list, -ETA_SCAN, -1)),
    ]);
    const [parked = 0, held = 0, ...lengths] = counts.map(Number);
    const now = Date.now();
    let delayed = 0;
    let oldest: number | null = null;
    for (const raws of scans) {
      for (const raw of raws) {
        let message: TaskMessage;
        try {
          message = this.decode(raw);
        } catch {
          continue; // a malformed message waits to be dead-lettered by the next reserve
        }
        if (message.eta !== undefined && message.eta > now) delayed++;
        // Python sends no creation time: its messages read as made now.
        else if (oldest === null || message.createdAt < oldest) oldest = message.createdAt;
      }
    }
    const waiting = lengths.reduce((a, b) => a + b, 0) - delayed;
    return { name, waiting, delayed: delayed + parked, running: held, oldestWaitingAt: waiting > 0 ? (oldest ?? now) : null, paused };
  }

  /**
   * Broker.revoke: the id marked revoked, then its waiting or parked message (in `queues`) removed
   * and returned. With `keepWorkflow`, a message that carries a workflow is looked up first and
   * left where it is, unmarked (its record refuses it: the worker that takes it ends its workflow).
   */
  async revoke(queues: Iterable<string>, taskId: string, keepWorkflow: boolean): Promise<TaskMessage | null> {
    const k = this.keys;
    const lists = [...queues].flatMap((q) => queueLists(q, this.options.prioritySteps).map((l) => k.list(l)));
    const find = async (peek: boolean) => this.#readable((await this.scripts.run('removeWaiting', [k.unacked, k.unackedIndex, k.parked, ...lists], [JSON.stringify(taskId), peek ? '1' : ''])) as string | null);
    if (keepWorkflow) {
      const waiting = await find(true);
      if (waiting !== null && carriesWorkflow(waiting)) {
        await this.redis.publish(k.revokeChannel, taskId);
        return waiting;
      }
    }
    const now = Date.now();
    await this.redis.multi().zadd(k.revoked, now, taskId).zremrangebyscore(k.revoked, '-inf', now - this.options.revokedTtl).publish(k.revokeChannel, taskId).exec();
    return find(false);
  }

  /** A stored message decoded; null if none, or unreadable (nothing to end). */
  #readable(raw: string | null): TaskMessage | null {
    if (raw === null) return null;
    try {
      return this.decode(raw);
    } catch {
      return null;
    }
  }

  /** Up to `max` waiting and delayed messages removed; unreadable ones go without being returned. */
  async purge(queue: string, max: number): Promise<TaskMessage[]> {
    const k = this.keys;
    const lists = queueLists(queue, this.options.prioritySteps).map((l) => k.list(l));
    const raws = (await this.scripts.run('purgeQueue', [k.unacked, k.unackedIndex, k.leases, k.deliveries, k.parked, ...lists], [queue, max])) as string[];
    const removed: TaskMessage[] = [];
    for (const raw of raws) {
      try {
        removed.push(this.decode(raw));
      } catch {
        // removed, and unreadable: nothing to revoke
      }
    }
    return removed;
  }
}
