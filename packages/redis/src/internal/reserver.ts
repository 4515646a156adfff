import { type ApplyResult, type Delivery, type ReserveRequest, type StartedDelivery, type TaskMessage, checkInboxMessage, idInUseReason, partitionOfId } from '@celeriac/core/adapter';
import type { BrokerScripts } from './broker-scripts.js';
import type { HandOff, ParkedReserves } from './hand-off.js';
import type { BrokerKeys } from './keys.js';
import { decodeStoredMessage } from './message-fields.js';
import type { LeaseKeeper } from './lease-keeper.js';
import type { PartitionPlace } from './store-parts.js';
import { replyNumber, replyString } from './reply.js';
import { ReserveArgs, type SlotReserveRequest, checkRequest } from './reserve-args.js';
import type { ScriptArg } from './scripts.js';
import type { WakeSignal } from './wake-signal.js';

export interface ReserverContext {
  readonly scripts: BrokerScripts;
  readonly keys: BrokerKeys;
  readonly visibilityTimeout: number;
  readonly leases: LeaseKeeper;
  readonly wake: WakeSignal;
  /** Where a reserve storing STARTED sleeps, so an enqueue of this process can hand it messages. */
  readonly parked: ParkedReserves;
  /** Whether the drained-reserve hint is used (see the class comment; off for comparison runs). */
  readonly drainedHint: boolean;
  /** In a partitioned store, this partition's place: an inbox message of another partition's id is refused. */
  readonly partition: PartitionPlace | undefined;
  isClosed(): boolean;
  /** Queued acks to settle in the same script call (see AckQueue). */
  takeAcks(): string[];
  /** Settles deliveries taken after the caller gave up (aborted): handed back for someone else. Never rejects. */
  handBack(deliveries: Delivery[]): Promise<void>;
}

/** Storing STARTED as messages are taken, in the reserve's own script call. */
export interface StartOnReserve {
  /** The reserve script's STARTED arguments after the flag (see reserveJobs-9.lua), for the reserving worker. */
  args(worker: string | undefined): ScriptArg[];
  /**
   * Its STARTED reply as results, one per message taken (undefined where the stored message could
   * not be decoded), told to this process's listeners.
   */
  results(taken: readonly { id: string; message: TaskMessage | undefined }[], reply: unknown, worker: string | undefined): ApplyResult[];
  /**
   * Undoes the STARTED of deliveries taken after the caller gave up, before they are handed back:
   * their records go back to PENDING, as with a worker's own hand-back, so a task waiting again
   * never reads as started.
   */
  undo(deliveries: readonly StartedDelivery[]): Promise<void>;
}

/** The script's first reply element when it stopped at `max`: more may be reservable now. */
export const MORE_READY = -2;

interface Attempt {
  deliveries: StartedDelivery[];
  /** MORE_READY, else nothing is left to take now: ms until something may become reservable, or -1 */
  nextDue: number;
  /** raw inbox messages were validated: some may be reservable now */
  triaged: boolean;
}

/** A reserve that took the last reservable messages, before any wake-up (see Reserver). */
interface Drained {
  readonly args: ScriptArg[];
  readonly generation: number;
  /** Date.now() at which something may become reservable, or -1 */
  readonly dueAt: number;
}

/**
 * One `reserve()`: a script call that reclaims, promotes and takes in one round trip; then, if
 * nothing came, a sleep until a wake-up, the earliest due time (a delayed message, a lease expiry,
 * a rate window), `waitMs` or the abort signal, whichever is first.
 *
 * A reserve that took the last reservable messages says so. The next reserve with the same
 * arguments, if no wake-up came in between, then goes straight to that sleep instead of making a
 * script call that would find nothing: a worker that keeps up with its producers makes one reserve
 * call per batch of work, not two. The hint is used once, so a worker that sleeps its full `waitMs`
 * still looks with a real call next time (an inbox written by a foreign producer that does not
 * publish a wake-up is found as before). To compare: `tuning: { drainedHint: false }`.
 */
export class Reserver {
  readonly #ctx: ReserverContext;
  readonly #args: ReserveArgs;
  /** Abandoned calls whose late deliveries are still on their way back (see drain). */
  readonly #handingBack = new Set<Promise<void>>();
  #drained: Drained | undefined;

  constructor(ctx: ReserverContext) {
    this.#ctx = ctx;
    this.#args = new ReserveArgs(ctx.keys);
  }

  async reserve(request: ReserveRequest, start: StartOnReserve): Promise<StartedDelivery[]> {
    checkRequest(request);
    const { wake } = this.#ctx;
    const signal = request.signal;
    const deadline = Date.now() + request.waitMs;
    const args = this.#args.for(request);
    for (;;) {
      if (isAborted(signal) || this.#ctx.isClosed()) return [];
      const since = wake.generation;
      const attempt = this.#skipDrained(args, since) ?? (await this.#attemptUnlessAborted(args, request, start));
      if (attempt === undefined) return [];
      if (attempt.deliveries.length > 0) {
        if (attempt.nextDue !== MORE_READY) this.#drained = { args, generation: since, dueAt: attempt.nextDue < 0 ? -1 : Date.now() + attempt.nextDue };
        return attempt.deliveries;
      }
      if (attempt.triaged || attempt.nextDue === MORE_READY) continue;
      const left = deadline - Date.now();
      if (left <= 0 || isAborted(signal) || this.#ctx.isClosed()) return [];
      if (await wake.watch(request.queues)) continue;
      const claim = await this.#sleep(attempt.nextDue >= 0 ? Math.min(left, attempt.nextDue) : left, since, request);
      if (claim === undefined) continue;
      const dueAt = attempt.nextDue < 0 ? -1 : Date.now() + attempt.nextDue;
      const handed = await this.#unlessAborted(
        claim.handOff.then(
          (h): Attempt => ({ deliveries: h.deliveries, nextDue: h.complete ? attempt.nextDue : MORE_READY, triaged: false }),
          (): Attempt => ({ deliveries: [], nextDue: MORE_READY, triaged: false }),
        ),
        signal,
        start,
      );
      if (handed === undefined) return [];
      if (handed.deliveries.length > 0) {
        // Nothing else became ready: still drained, so the next reserve sleeps again without a call.
        if (handed.nextDue !== MORE_READY) this.#drained = { args, generation: since, dueAt };
        return handed.deliveries;
      }
    }
  }

  /**
   * One look, never a sleep, for a partitioned store (which sleeps for all its partitions at once,
   * see partitioned-store.ts): what one script call takes (another if it only validated inbox
   * messages or dead-lettered undecodable ones), and its `nextDue` (MORE_READY: more may be
   * reservable now; else ms until something may be, or -1). Undefined if aborted or closed.
   */
  async look(request: SlotReserveRequest, start: StartOnReserve): Promise<{ deliveries: StartedDelivery[]; nextDue: number } | undefined> {
    const args = this.#args.for(request);
    for (;;) {
      if (isAborted(request.signal) || this.#ctx.isClosed()) return undefined;
      const attempt = await this.#attemptUnlessAborted(args, request, start);
      if (attempt === undefined) return undefined;
      if (attempt.deliveries.length > 0 || !(attempt.triaged || attempt.nextDue === MORE_READY)) return attempt;
    }
  }

  /**
   * Sleeps as `wake.wait` does. A reserve storing STARTED sleeps parked (see hand-off.ts): an
   * enqueue of this process that claims it ends the sleep, and what it hands over is returned.
   */
  async #sleep(ms: number, since: number, request: ReserveRequest): Promise<{ handOff: Promise<HandOff> } | undefined> {
    const { wake, parked } = this.#ctx;
    const readyKeys = this.#args.handOffKeys(request);
    if (readyKeys.size === 0) {
      await wake.wait(ms, since, request.signal);
      return undefined;
    }
    let claim: { handOff: Promise<HandOff> } | undefined;
    let endSleep: (() => void) | undefined;
    const unpark = parked.park({
      readyKeys,
      max: request.max,
      worker: request.worker,
      claim: (handOff) => {
        claim = { handOff };
        endSleep?.();
      },
    });
    try {
      await wake.wait(ms, since, request.signal, (end) => (endSleep = end));
    } finally {
      unpark();
    }
    return claim;
  }

  /** Resolves once every call abandoned so far has replied and its deliveries are handed back (for close()). */
  async drain(): Promise<void> {
    await Promise.all([...this.#handingBack]);
  }

  /** An empty attempt standing for the call a drained hint makes needless (see the class comment). */
  #skipDrained(args: ScriptArg[], generation: number): Attempt | undefined {
    const drained = this.#drained;
    if (drained === undefined || !this.#ctx.drainedHint) return undefined;
    this.#drained = undefined;
    if (drained.args !== args || drained.generation !== generation) return undefined;
    if (drained.dueAt < 0) return { deliveries: [], nextDue: -1, triaged: false };
    const nextDue = drained.dueAt - Date.now();
    return nextDue > 0 ? { deliveries: [], nextDue, triaged: false } : undefined;
  }

  #attemptUnlessAborted(args: ScriptArg[], request: ReserveRequest, start: StartOnReserve): Promise<Attempt | undefined> {
    return this.#unlessAborted(this.#attempt(args, request.max, start, request.worker), request.signal, start);
  }

  /** The attempt, or undefined if the signal aborts first (a late result is handed back, not lost). */
  #unlessAborted(attempt: Promise<Attempt>, signal: AbortSignal | undefined, start: StartOnReserve): Promise<Attempt | undefined> {
    if (signal === undefined) return attempt;
    return new Promise<Attempt | undefined>((resolve, reject) => {
      const state = { abandoned: false };
      const onAbort = () => {
        state.abandoned = true;
        resolve(undefined);
        // What the call takes once its reply comes goes back; drain() waits for that.
        const late = attempt.then(
          (result) => (result.deliveries.length > 0 ? this.#handBack(result.deliveries, start) : undefined),
          () => undefined,
        );
        this.#handingBack.add(late);
        void late.finally(() => this.#handingBack.delete(late));
      };
      // A hand-off can be claimed as the signal aborts: abandoned at once, its deliveries go back.
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      attempt.then(
        (result) => {
          signal.removeEventListener('abort', onAbort);
          if (!state.abandoned) resolve(result);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          if (!state.abandoned) reject(error);
        },
      );
    });
  }

  /** Deliveries taken after the caller gave up: back to their queue, their STARTED undone first. */
  async #handBack(deliveries: StartedDelivery[], start: StartOnReserve): Promise<void> {
    // Handed back even if the undo failed: a task waiting again that reads STARTED beats a stranded one.
    if (deliveries.length > 0) await start.undo(deliveries).catch(() => undefined);
    await this.#ctx.handBack(deliveries);
  }

  async #attempt(args: ScriptArg[], max: number, start: StartOnReserve, worker: string | undefined): Promise<Attempt> {
    const { scripts, leases } = this.#ctx;
    const startArgs: ScriptArg[] = [1, ...start.args(worker)];
    const reply = await scripts.reserve(this.#ctx.visibilityTimeout, max, this.#ctx.takeAcks(), args, startArgs);
    const nextDue = replyNumber(reply[0]);
    const rawCount = replyNumber(reply[1]);
    const token = replyNumber(reply[2]); // one per call: every message taken is leased as <token>:<id>
    const settling: Promise<unknown>[] = [];
    let at = 4;
    for (let i = 0; i < rawCount; i++, at += 3) {
      settling.push(this.#triage(replyString(reply[at]), replyString(reply[at + 1]), replyString(reply[at + 2])));
    }
    const taken: { id: string; receipt: string; message: TaskMessage | undefined; deliveries: number }[] = [];
    for (; at < reply.length; at += 3) {
      const id = replyString(reply[at]);
      const receipt = `${token}:${id}`;
      leases.hold(receipt);
      let message: TaskMessage | undefined;
      try {
        message = decodeStoredMessage(replyString(reply[at + 1]), id);
      } catch (error) {
        // A stored message that is not valid: to the dead-letter queue with the reason, never returned.
        settling.push(this.#deadLetter(receipt, (error as Error).message));
      }
      taken.push({ id, receipt, message, deliveries: replyNumber(reply[at + 2]) });
    }
    const started = taken.length === 0 ? [] : start.results(taken, reply[3], worker);
    const deliveries: StartedDelivery[] = [];
    taken.forEach(({ receipt, message, deliveries: count }, j) => {
      if (message !== undefined) deliveries.push({ message, deliveries: count, receipt, started: started[j] as ApplyResult });
    });
    await Promise.all(settling);
    return { deliveries, nextDue, triaged: rawCount > 0 };
  }

  /**
   * A raw inbox message: admitted to its queue if valid, with an id the API would accept and not
   * in use (checked with the admission, in one script); else dead-lettered with the reason.
   */
  async #triage(member: string, queue: string, body: string): Promise<void> {
    const checked = checkInboxMessage(body);
    if ('reason' in checked) {
      await this.#deadLetter(member, checked.reason);
      return;
    }
    const { message } = checked;
    const place = this.#ctx.partition;
    if (place !== undefined && partitionOfId(message.id, place.count) !== place.index) {
      await this.#deadLetter(member, `task id "${message.id}" belongs to partition ${partitionOfId(message.id, place.count)}, not ${place.index}: push it to inboxKey(queue, taskId)`);
      return;
    }
    await this.#ctx.scripts.admitInbox(member, { message, raw: body, queue, deliveries: 0 }, idInUseReason(message.id));
  }

  async #deadLetter(member: string, reason: string): Promise<void> {
    await this.#ctx.scripts.deadLetter(member, reason);
    this.#ctx.leases.release(member);
  }
}

// A function, so TypeScript does not narrow `aborted` across the awaits in between.
function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}
