import type { RateLimit } from '@celeriac/core/adapter';
import type { BrokerKeyValue } from '../options.js';

/** How long a delivery count is kept after a message's last delivery: a day. */
const COUNT_TTL_MS = 86_400_000;
const PAUSED_KEY = 'amqp:paused';
const QUEUES_KEY = 'amqp:queues';
/** Compare-and-set rounds before giving up on a contended key. */
const CAS_ROUNDS = 50;

/**
 * What every broker process must agree on and RabbitMQ does not keep, held in the paired backend's
 * key-value space under `amqp:`: revoked ids, delivery counts beyond the first, rate windows.
 */
export class SharedState {
  constructor(
    private readonly kv: BrokerKeyValue,
    private readonly revokedTtl: number,
  ) {}

  async revoke(taskId: string): Promise<void> {
    const key = `amqp:revoked:${taskId}`;
    // Set, or refresh: a second revoke extends the time it is remembered.
    for (let round = 0; round < CAS_ROUNDS; round++) {
      if (await this.kv.compareAndSet(key, await this.kv.getValue(key), '1', this.revokedTtl)) return;
    }
    throw new Error(`could not mark ${taskId} revoked: its key kept changing`);
  }

  /** The paused queues, as every process sees them (one key: a reserve reads it in one round trip). */
  async paused(): Promise<Set<string>> {
    const stored = await this.kv.getValue(PAUSED_KEY);
    return new Set(stored === null ? [] : (JSON.parse(stored) as string[]));
  }

  async setPaused(queue: string, paused: boolean): Promise<void> {
    await this.#update(PAUSED_KEY, (names) => (paused ? [...names, queue] : names.filter((n) => n !== queue)));
    await this.addQueue(queue);
  }

  /** Every queue a message was sent to or that was paused, by any process (sorted). */
  async queueNames(): Promise<string[]> {
    const stored = await this.kv.getValue(QUEUES_KEY);
    return stored === null ? [] : (JSON.parse(stored) as string[]);
  }

  async addQueue(queue: string): Promise<void> {
    await this.#update(QUEUES_KEY, (names) => (names.includes(queue) ? names : [...names, queue].sort()));
  }

  /** A set of names kept as a JSON array under `key`, changed by compare-and-set. */
  async #update(key: string, change: (names: string[]) => string[]): Promise<void> {
    for (let round = 0; round < CAS_ROUNDS; round++) {
      const stored = await this.kv.getValue(key);
      const names = stored === null ? [] : (JSON.parse(stored) as string[]);
      const next = [...new Set(change(names))];
      if (stored !== null && next.length === names.length && next.every((n, i) => n === names[i])) return;
      if (await this.kv.compareAndSet(key, stored, JSON.stringify(next))) return;
    }
    throw new Error(`could not update ${key}: it kept changing`);
  }

  /** Whether a task record exists for `taskId` (a foreign message may not reuse its id). */
  async inUse(taskId: string): Promise<boolean> {
    return (await this.kv.get(taskId)) !== null;
  }

  async isRevoked(taskId: string): Promise<boolean> {
    return (await this.kv.getValue(`amqp:revoked:${taskId}`)) !== null;
  }

  /**
   * RabbitMQ's classic queues say only whether a message was delivered before (`redelivered`), not
   * how often. The count lives under the publish's id from its second delivery on; a message put
   * back unstarted (passed over by a reserve, looked at by revoke) is marked 0 so that it is not
   * taken for one that was delivered.
   */
  async delivered(countKey: string, redelivered: boolean): Promise<number> {
    if (!redelivered) return 1;
    const key = `amqp:dlv:${countKey}`;
    for (let round = 0; round < CAS_ROUNDS; round++) {
      const stored = await this.kv.getValue(key);
      const next = (stored === null ? 1 : Number(stored)) + 1;
      if (await this.kv.compareAndSet(key, stored, String(next), COUNT_TTL_MS)) return next;
    }
    return 2;
  }

  /** Marks a first delivery that is put back unstarted, so that its next one still counts as first. */
  async passedOver(countKey: string, redelivered: boolean): Promise<void> {
    if (!redelivered) await this.kv.compareAndSet(`amqp:dlv:${countKey}`, null, '0', COUNT_TTL_MS);
  }

  /**
   * Takes up to `wanted` starts of `task` from its sliding window, shared by every process.
   * Returns how many were granted and, when fewer, the ms until the window lets one more through.
   */
  async takeStarts(task: string, limit: RateLimit, wanted: number): Promise<{ granted: number; waitMs: number }> {
    const key = `amqp:rate:${task}`;
    for (let round = 0; round < CAS_ROUNDS; round++) {
      const stored = await this.kv.getValue(key);
      const now = Date.now();
      const log = (stored === null ? [] : (JSON.parse(stored) as number[])).filter((at) => at > now - limit.intervalMs);
      const granted = Math.max(0, Math.min(wanted, limit.limit - log.length));
      const next = [...log, ...Array.from({ length: granted }, () => now)];
      const waitMs = next.length < limit.limit ? 0 : (next[next.length - limit.limit] as number) + limit.intervalMs - now;
      if (granted === 0) return { granted, waitMs };
      if (await this.kv.compareAndSet(key, stored, JSON.stringify(next), limit.intervalMs * 2)) return { granted, waitMs };
    }
    return { granted: 0, waitMs: 10 };
  }
}
