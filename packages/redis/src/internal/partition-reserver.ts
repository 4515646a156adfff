import type { ReserveRequest, StartedDelivery } from '@celeriac/core/adapter';
import { type RateGrant, PartitionRates } from './partition-rates.js';
import { type SlotReserveRequest, checkRequest } from './reserve-args.js';
import { MORE_READY } from './reserver.js';
import type { SlotStore } from './slot-store.js';

/** A partition whose last look left nothing reservable, before any wake-up (see #skip). */
interface Drained {
  readonly queues: readonly string[];
  readonly tasks: readonly string[];
  readonly generation: number;
  /** Date.now() at which something may become reservable there, or -1 */
  readonly dueAt: number;
}

interface Sweep {
  /** What each partition looked at gave, in its own order. */
  deliveries: StartedDelivery[][];
  taken: number;
  /** ms until something may become reservable in a partition looked at, or -1 */
  nextDue: number;
}

/**
 * `reserve()` of a partitioned store: a sweep over the partitions, each one script call that
 * takes what it can (Reserver.look), from a starting partition that moves on by one at every call,
 * so every partition is served first in turn; the free slots one partition leaves are filled from
 * the next ones. Within a partition the script keeps its order: priority, then FIFO. If nothing
 * came, it sleeps until a wake-up of any partition (they share one pulse, see store-parts.ts),
 * the earliest due time, `waitMs` or the abort signal. Rate-limited tasks start within one window
 * for all partitions (see PartitionRates).
 *
 * A partition whose last look left nothing reservable is skipped by the next sweep with the same
 * queues and tasks if no wake-up came in between (once, as the single-slot drained hint), so a
 * sweep costs a call only where work may be; a look capped by a rate grant sets no such hint.
 */
export class PartitionReserver {
  readonly #partitions: readonly SlotStore[];
  readonly #rates: PartitionRates;
  readonly #drainedHint: boolean;
  readonly #isClosed: () => boolean;
  readonly #drained = new Map<number, Drained>();
  #next = 0;

  constructor(partitions: readonly SlotStore[], isClosed: () => boolean) {
    const home = partitions[0] as SlotStore;
    this.#partitions = partitions;
    this.#rates = new PartitionRates(home.parts);
    this.#drainedHint = home.options.tuning.drainedHint;
    this.#isClosed = isClosed;
  }

  async reserve(request: ReserveRequest): Promise<StartedDelivery[]> {
    checkRequest(request);
    const wake = (this.#partitions[0] as SlotStore).parts.wake;
    const deadline = Date.now() + request.waitMs;
    for (;;) {
      if (isAborted(request.signal) || this.#isClosed()) return [];
      const since = wake.generation;
      const sweep = await this.#sweep(request, since);
      if (sweep.taken > 0) return byPriority(sweep.deliveries);
      const left = deadline - Date.now();
      if (left <= 0 || isAborted(request.signal) || this.#isClosed()) return [];
      if (await this.#watch(request.queues)) continue;
      await wake.wait(sweep.nextDue >= 0 ? Math.min(left, sweep.nextDue) : left, since, request.signal);
    }
  }

  /** Subscribes every partition's wake channels of these queues; true if any was new (look again before sleeping). */
  async #watch(queues: readonly string[]): Promise<boolean> {
    const added = await Promise.all(this.#partitions.map((p) => p.parts.wake.watch(queues)));
    return added.includes(true);
  }

  async #sweep(request: ReserveRequest, generation: number): Promise<Sweep> {
    const n = this.#partitions.length;
    const first = this.#next;
    this.#next = (first + 1) % n;
    const grant = await this.#rates.grant(request);
    const sweep: Sweep = { deliveries: [], taken: 0, nextDue: grant === undefined ? -1 : grant.waitMs };
    try {
      for (let i = 0; i < n && sweep.taken < request.max; i++) {
        const at = (first + i) % n;
        if (this.#skip(at, request, generation, sweep)) continue;
        const asked = slotRequest(request, request.max - sweep.taken, grant);
        if (asked === undefined) break; // every rate-limited task asked for is at its limit
        const look = await this.#look(at, asked, sweep);
        if (look === undefined) break; // aborted, closed or failed: what was taken is returned, not lost
        sweep.deliveries.push(look.deliveries);
        sweep.taken += look.deliveries.length;
        if (grant !== undefined) takeFromCaps(grant, look.deliveries);
        if (look.nextDue === MORE_READY) continue;
        // A look capped by a rate grant may stop with work left that the next grant lets through.
        if (this.#drainedHint && grant === undefined) {
          this.#drained.set(at, { queues: request.queues, tasks: request.tasks, generation, dueAt: look.nextDue < 0 ? -1 : Date.now() + look.nextDue });
        }
        considerDue(sweep, look.nextDue);
      }
    } finally {
      if (grant !== undefined) this.#rates.giveBack(grant);
    }
    return sweep;
  }

  /**
   * Partition `at`'s look. If it fails after others gave deliveries, those are returned (their
   * leases are held and heartbeated by this process: thrown away, they would never run) and the
   * error is left to the next reserve; with nothing taken yet, it is thrown.
   */
  async #look(at: number, asked: SlotReserveRequest, sweep: Sweep): Promise<{ deliveries: StartedDelivery[]; nextDue: number } | undefined> {
    try {
      return await (this.#partitions[at] as SlotStore).look(asked);
    } catch (error) {
      if (sweep.taken === 0) throw error;
      return undefined;
    }
  }

  /** Whether partition `at` was left drained by the last look with these queues and tasks, with no wake-up since (the hint is used once). */
  #skip(at: number, request: ReserveRequest, generation: number, sweep: Sweep): boolean {
    const drained = this.#drained.get(at);
    if (drained === undefined) return false;
    this.#drained.delete(at);
    if (drained.generation !== generation || drained.queues !== request.queues || drained.tasks !== request.tasks) return false;
    if (drained.dueAt < 0) return true;
    const due = drained.dueAt - Date.now();
    if (due <= 0) return false;
    considerDue(sweep, due);
    return true;
  }
}

/**
 * One batch of the partitions' deliveries, higher priority first: a merge that keeps each
 * partition's own order (priority, then FIFO), so a batch is in priority order across partitions.
 */
function byPriority(lists: readonly StartedDelivery[][]): StartedDelivery[] {
  const filled = lists.filter((list) => list.length > 0);
  if (filled.length === 1) return filled[0] as StartedDelivery[];
  const at = filled.map(() => 0);
  const merged: StartedDelivery[] = [];
  for (;;) {
    let best = -1;
    for (let i = 0; i < filled.length; i++) {
      const head = (filled[i] as StartedDelivery[])[at[i] as number];
      if (head !== undefined && (best < 0 || head.message.priority > ((filled[best] as StartedDelivery[])[at[best] as number] as StartedDelivery).message.priority)) best = i;
    }
    if (best < 0) return merged;
    merged.push((filled[best] as StartedDelivery[])[at[best] as number] as StartedDelivery);
    at[best] = (at[best] as number) + 1;
  }
}

// A function, so TypeScript does not narrow `aborted` across the awaits in between.
function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

function considerDue(sweep: Sweep, ms: number): void {
  if (ms >= 0 && (sweep.nextDue < 0 || ms < sweep.nextDue)) sweep.nextDue = ms;
}

/**
 * The request for one partition: at most `max`, without sleeping; with a grant, the tasks at
 * their limit left out and the others capped. Undefined if no task is left.
 */
function slotRequest(request: ReserveRequest, max: number, grant: RateGrant | undefined): SlotReserveRequest | undefined {
  const { rateLimits: _windows, ...rest } = request;
  if (grant === undefined) return { ...rest, max, waitMs: 0 };
  const tasks = request.tasks.filter((task) => (grant.caps[task] ?? 1) > 0);
  if (tasks.length === 0) return undefined;
  const caps: Record<string, number> = {};
  for (const [task, cap] of Object.entries(grant.caps)) if (cap > 0) caps[task] = cap;
  return { ...rest, tasks, max, waitMs: 0, caps };
}

function takeFromCaps(grant: RateGrant, deliveries: readonly StartedDelivery[]): void {
  for (const { message } of deliveries) {
    const cap = grant.caps[message.task];
    if (cap !== undefined) grant.caps[message.task] = cap - 1;
  }
}
