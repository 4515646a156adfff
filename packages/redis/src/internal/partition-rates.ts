import type { ReserveRequest } from '@celeriac/core/adapter';
import { nextCallToken } from './call-token.js';
import { replyArray, replyNumber } from './reply.js';
import { checkRateLimits } from './reserve-args.js';
import { SCRIPTS, runScript } from './scripts.js';
import type { StoreParts } from './store-parts.js';

/** Most starts granted per task and call (a worker's free slots; the script adds one member each). */
const MAX_GRANT = 1_000;

/** Starts a reserve of a partitioned store may make, granted by the home partition's windows. */
export interface RateGrant {
  /** Per rate-limited task asked for: starts still allowed in this call (lowered as partitions take). */
  readonly caps: Record<string, number>;
  /** Ms until a window that granted nothing lets one more through (-1: every task got some). */
  readonly waitMs: number;
  readonly token: string;
  readonly granted: Readonly<Record<string, number>>;
}

/**
 * Rate limits across the partitions of a store: every start of a rate-limited task counts in one
 * sliding window, the home partition's `{prefix}:rate:<task>` (the one a single-slot store keeps).
 * A reserve first takes up to its free slots of starts from the windows in one script call
 * (grantStarts-1.lua), passes them to the partitions it looks in as caps (reserveJobs takes no
 * more and counts nothing itself), and gives back the starts it did not use. A process that dies
 * between the grant and the give-back leaves its unused starts in the window until they age out:
 * fewer starts for one interval, never more than the limit.
 */
export class PartitionRates {
  readonly #home: StoreParts;

  constructor(home: StoreParts) {
    this.#home = home;
  }

  /** The starts this request may make, or undefined if it asks for no rate-limited task. */
  async grant(request: ReserveRequest): Promise<RateGrant | undefined> {
    const limited = Object.entries(request.rateLimits ?? {}).filter(([task]) => request.tasks.includes(task));
    if (limited.length === 0) return undefined;
    checkRateLimits(limited);
    const { keys, clients } = this.#home;
    const token = `g${nextCallToken()}`;
    const args = limited.flatMap(([task, rate]) => [keys.rate(task), rate.limit, Math.ceil(rate.intervalMs)]);
    const reply = replyArray(await runScript(clients.command, SCRIPTS.grantStarts, [keys.seq], [token, Math.min(request.max, MAX_GRANT), ...args]), 'grantStarts');
    const caps: Record<string, number> = {};
    let waitMs = -1;
    limited.forEach(([task], i) => {
      const granted = replyNumber(reply[i * 2]);
      caps[task] = granted;
      const wait = replyNumber(reply[i * 2 + 1]);
      if (granted === 0 && (waitMs < 0 || wait < waitMs)) waitMs = wait;
    });
    return { caps, waitMs, token, granted: { ...caps } };
  }

  /** Removes the starts granted but not used (what is left in `caps`) from their windows. Never rejects. */
  giveBack(grant: RateGrant): void {
    const { keys, clients } = this.#home;
    for (const [task, left] of Object.entries(grant.caps)) {
      if (left <= 0) continue;
      const granted = grant.granted[task] ?? 0;
      const members = Array.from({ length: left }, (_, j) => `${grant.token}:${granted - j}`);
      clients.command.zrem(keys.rate(task), ...members).catch(() => undefined);
    }
  }
}
