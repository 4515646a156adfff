import type { RateLimit, ReserveRequest } from '@celeriac/core/adapter';
import type { BrokerKeys } from './keys.js';
import { inboxRouteJson } from './message-fields.js';
import type { ScriptArg } from './scripts.js';

/**
 * A reserve of one partition of a partitioned store: `caps` replaces `rateLimits`, giving per
 * rate-limited task the starts its home partition's window granted this call (see
 * partition-rates.ts); none is counted in a window of this partition.
 */
export interface SlotReserveRequest extends ReserveRequest {
  readonly caps?: Readonly<Record<string, number>>;
}

/**
 * The reserveJobs arguments after the acks (see reserveJobs-9.lua): rate limits, then per queue
 * its delayed and inbox keys and one ready key per task. A worker asks with the same arrays every
 * time, so the last result is reused.
 */
export class ReserveArgs {
  readonly #keys: BrokerKeys;
  #last: { queues: readonly string[]; tasks: readonly string[]; rateLimits: ReserveRequest['rateLimits']; caps: SlotReserveRequest['caps']; args: ScriptArg[]; handOffKeys: ReadonlySet<string> } | undefined;

  constructor(keys: BrokerKeys) {
    this.#keys = keys;
  }

  for(request: SlotReserveRequest): ScriptArg[] {
    return this.#for(request).args;
  }

  /**
   * The ready keys an enqueue may hand messages to while this request sleeps (see hand-off.ts):
   * those of tasks without a rate limit (whose windows only the reserve script counts), and none
   * with a newline (the hand-off argument is newline-separated).
   */
  handOffKeys(request: ReserveRequest): ReadonlySet<string> {
    return this.#for(request).handOffKeys;
  }

  #for(request: SlotReserveRequest) {
    const last = this.#last;
    if (last !== undefined && last.queues === request.queues && last.tasks === request.tasks && last.rateLimits === request.rateLimits && last.caps === request.caps) return last;
    const args = this.#build(request);
    const handOffKeys = new Set<string>();
    for (const queue of request.queues) {
      for (const task of request.tasks) {
        const key = this.#keys.ready(queue, task);
        if (!Object.hasOwn(request.rateLimits ?? {}, task) && !key.includes('\n')) handOffKeys.add(key);
      }
    }
    this.#last = { queues: request.queues, tasks: request.tasks, rateLimits: request.rateLimits, caps: request.caps, args, handOffKeys };
    return this.#last;
  }

  #build({ queues, tasks, rateLimits, caps }: SlotReserveRequest): ScriptArg[] {
    const keys = this.#keys;
    const uniqueTasks = [...new Set(tasks)];
    const args: ScriptArg[] = [];
    const rateIndex = new Map<string, number>();
    const limited = caps === undefined ? Object.entries(rateLimits ?? {}) : Object.entries(caps).map(([task, cap]) => [task, { limit: cap, intervalMs: 0 }] as const);
    const asked = limited.filter(([task]) => uniqueTasks.includes(task));
    if (caps === undefined) checkRateLimits(asked);
    args.push(asked.length);
    for (const [task, rate] of asked) {
      rateIndex.set(task, rateIndex.size + 1);
      args.push(keys.rate(task), rate.limit, Math.ceil(rate.intervalMs));
    }
    const uniqueQueues = [...new Set(queues)];
    args.push(uniqueQueues.length);
    for (const queue of uniqueQueues) {
      args.push(queue, keys.delayed(queue), keys.inbox(queue), inboxRouteJson(queue), uniqueTasks.length);
      for (const task of uniqueTasks) args.push(keys.ready(queue, task), rateIndex.get(task) ?? 0);
    }
    return args;
  }
}

/** Checks rate limits as a caller gave them (a worker's own are valid). */
export function checkRateLimits(limited: readonly (readonly [string, RateLimit])[]): void {
  for (const [task, rate] of limited) {
    if (!Number.isSafeInteger(rate.limit) || rate.limit < 1) throw new TypeError(`reserve(): rateLimits["${task}"].limit must be a positive integer, got ${String(rate.limit)}`);
    if (!(Number.isFinite(rate.intervalMs) && rate.intervalMs > 0)) throw new TypeError(`reserve(): rateLimits["${task}"].intervalMs must be a positive number, got ${String(rate.intervalMs)}`);
  }
}

/** A reserve request's shape, checked before anything is sent. */
export function checkRequest(request: ReserveRequest): void {
  if (!Array.isArray(request.queues) || request.queues.length === 0) throw new TypeError('reserve(): queues must be a non-empty array');
  if (!Array.isArray(request.tasks) || request.tasks.length === 0) throw new TypeError('reserve(): tasks must be a non-empty array');
  if (!Number.isSafeInteger(request.max) || request.max < 1) throw new TypeError(`reserve(): max must be a positive integer, got ${String(request.max)}`);
  if (!(Number.isFinite(request.waitMs) && request.waitMs >= 0)) throw new TypeError(`reserve(): waitMs must be a non-negative number, got ${String(request.waitMs)}`);
}
