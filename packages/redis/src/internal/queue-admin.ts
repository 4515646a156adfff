import { MAX_PRIORITY, type QueueInfo, type TaskMessage, decodeTaskMessage } from '@celeriac/core/adapter';
import { PRIORITY_UNIT } from './message-fields.js';
import { sourcesArg } from './record-codec.js';
import type { ScriptArg } from './scripts.js';
import type { StoreParts } from './store-parts.js';

/** A lease member "<token>:<id>" (the zset's encoding member is none). */
const LEASE_MEMBER = /^\d+:([\s\S]*)$/;
const REVOKED_SOURCES = sourcesArg('REVOKED') as string;

/**
 * The queue half of the admin API on Redis: counts read from the broker's own structures (no
 * index of its own, so nothing on the hot path), pause as a set the reserve script checks, and
 * purge as one script call per step. Queue names come from the routes hash: one field per ready
 * or inbox key, written when a queue first gets a message of a task (a set as small as the app's
 * queues times its tasks).
 */
export class QueueAdmin {
  readonly #parts: StoreParts;
  readonly #recordHeader: () => ScriptArg[];

  constructor(parts: StoreParts, recordHeader: () => ScriptArg[]) {
    this.#parts = parts;
    this.#recordHeader = recordHeader;
  }

  async queues(): Promise<QueueInfo[]> {
    await this.#parts.clients.ready();
    const { command } = this.#parts.clients;
    const k = this.#parts.keys;
    const [routes, paused, leases] = await Promise.all([command.hgetall(k.routes), command.smembers(k.paused), command.zrange(k.leases, '0', '-1')]);
    const names = new Set(paused);
    const queueOfKey = new Map<string, string>();
    for (const [key, json] of Object.entries(routes)) {
      const queue = (JSON.parse(json) as [string, string])[1];
      names.add(queue);
      queueOfKey.set(key, queue);
    }
    const running = new Map<string, number>();
    const ids = leases.flatMap((member) => LEASE_MEMBER.exec(member)?.slice(1, 2) ?? []);
    const metas = ids.length === 0 ? [] : await command.hmget(k.meta, ...ids);
    for (const meta of metas) {
      const queue = meta === null ? undefined : queueOfKey.get(meta.slice(meta.indexOf(' ') + 1));
      if (queue !== undefined) running.set(queue, (running.get(queue) ?? 0) + 1);
    }
    const pausedSet = new Set(paused);
    return Promise.all([...names].sort().map(async (name): Promise<QueueInfo> => {
      const readyKeys = await command.smembers(k.readyKeys(name));
      const [counts, delayed, inbox, oldestAt] = await Promise.all([
        Promise.all(readyKeys.map((key) => command.zcard(key))),
        command.zcard(k.delayed(name)),
        command.llen(k.inbox(name)),
        this.#oldest(readyKeys),
      ]);
      return { name, waiting: counts.reduce((a, b) => a + b, 0) + inbox, delayed, running: running.get(name) ?? 0, oldestWaitingAt: oldestAt, paused: pausedSet.has(name) };
    }));
  }

  async pause(queue: string, paused: boolean): Promise<void> {
    await this.#parts.clients.ready();
    const { command } = this.#parts.clients;
    const k = this.#parts.keys;
    if (paused) {
      await command.sadd(k.paused, queue);
      return;
    }
    if ((await command.srem(k.paused, queue)) === 0) return;
    // Reserves asleep on the queue look again: here at once, elsewhere on its wake channel.
    await command.publish(k.wake(queue), '');
    this.#parts.wake.notify();
  }

  async purge(queue: string, max: number): Promise<TaskMessage[]> {
    if (!Number.isSafeInteger(max) || max < 1) throw new TypeError(`purgeQueue(): max must be a positive integer, got ${String(max)}`);
    await this.#parts.clients.ready();
    const raws = await this.#parts.scripts.purgeQueue(queue, max, this.#recordHeader(), REVOKED_SOURCES);
    return raws.flatMap((raw) => {
      try {
        return [decodeTaskMessage(raw)];
      } catch {
        return []; // an undecodable body: removed, with nothing to end
      }
    });
  }

  /** The createdAt of the message that arrived first among the ready zsets (each read per priority band: arrival is a score's low part). */
  async #oldest(readyKeys: readonly string[]): Promise<number | null> {
    const { command } = this.#parts.clients;
    let first: { arrival: number; id: string } | undefined;
    await Promise.all(readyKeys.flatMap((key) => Array.from({ length: MAX_PRIORITY + 1 }, async (_, rank) => {
      const [id, score] = await command.zrangebyscore(key, rank * PRIORITY_UNIT, (rank + 1) * PRIORITY_UNIT - 1, 'WITHSCORES', 'LIMIT', 0, 1);
      if (id === undefined || score === undefined) return;
      const arrival = Number(score) - rank * PRIORITY_UNIT;
      if (first === undefined || arrival < first.arrival) first = { arrival, id };
    })));
    if (first === undefined) return null;
    const raw = await command.hget(this.#parts.keys.body, (first as { id: string }).id);
    if (raw === null) return null;
    const createdAt = (JSON.parse(raw) as { createdAt?: unknown }).createdAt;
    return typeof createdAt === 'number' ? createdAt : null;
  }
}
