/**
 * Tasks running in this process (it holds their lease) whose record only this process changes: a
 * revocation from anywhere ends that, though the run may go on until it aborts. Only the tasks
 * handed to this process's own sleeping reserve by its own enqueue are tracked (see
 * includes/handOff.lua): those its producer may wait on, at no cost to the other deliveries.
 * To compare: local follow goes with the hand-off (`tuning: { handOff: false }`).
 */
export interface LocalRuns {
  has(id: string): boolean;
  /** Calls `callback` once `id` no longer runs here, or is revoked; false (and no call) if it does not run here now. */
  onEnd(id: string, callback: () => void): boolean;
  /** Calls `listener` with every id that ends so (one listener: the partner backend's). */
  watchEnds(listener: (id: string) => void): void;
}

/** A task running here: its leases held here (a redelivery may overlap a stalled run), and who waits for its end. */
interface Run {
  leases: number;
  revoked: boolean;
  ended: (() => void)[] | undefined;
}

/**
 * The leases this process holds, kept alive by one timer: every `intervalMs` a single script call
 * extends them all. A lease leaves the set when its delivery is settled; if the process dies the
 * heartbeats stop and the leases expire, and the broker delivers the messages again.
 */
export class LeaseKeeper implements LocalRuns {
  readonly #held = new Set<string>();
  readonly #runs = new Map<string, Run>();
  #endListener: ((id: string) => void) | undefined;
  readonly #extend: (members: string[]) => Promise<unknown>;
  readonly #intervalMs: number;
  #timer: NodeJS.Timeout | undefined;
  #beating = false;

  constructor(extend: (members: string[]) => Promise<unknown>, intervalMs: number) {
    this.#extend = extend;
    this.#intervalMs = intervalMs;
  }

  get size(): number {
    return this.#held.size;
  }

  has(id: string): boolean {
    const run = this.#runs.get(id);
    return run !== undefined && !run.revoked;
  }

  onEnd(id: string, callback: () => void): boolean {
    const run = this.#runs.get(id);
    if (run === undefined || run.revoked) return false;
    (run.ended ??= []).push(callback);
    return true;
  }

  watchEnds(listener: (id: string) => void): void {
    this.#endListener = listener;
  }

  /** `id` was revoked (by any process): its record may change elsewhere now, so it ends for onEnd. */
  revoked(id: string): void {
    const run = this.#runs.get(id);
    if (run === undefined || run.revoked) return;
    run.revoked = true;
    this.#ended(id, run);
  }

  /** Keeps `member` alive; `local`: its task is tracked as running here (see LocalRuns). */
  hold(member: string, local = false): void {
    if (this.#held.has(member)) return;
    this.#held.add(member);
    if (local) {
      const id = leaseJobId(member);
      const run = this.#runs.get(id);
      if (run === undefined) this.#runs.set(id, { leases: 1, revoked: false, ended: undefined });
      else run.leases++;
    }
    if (this.#timer === undefined) {
      this.#timer = setInterval(() => void this.#beat(), this.#intervalMs);
      // Heartbeats alone must not keep a process alive: the worker loop decides that.
      this.#timer.unref();
    }
  }

  release(member: string): void {
    if (!this.#held.delete(member) || this.#runs.size === 0) return;
    const id = leaseJobId(member);
    const run = this.#runs.get(id);
    if (run === undefined || --run.leases > 0) return;
    this.#runs.delete(id);
    if (!run.revoked) this.#ended(id, run);
  }

  /** Forget every lease without settling it, as if this process died (they expire on their own). */
  forgetAll(): string[] {
    const members = [...this.#held];
    for (const member of members) this.release(member);
    return members;
  }

  #ended(id: string, run: Run): void {
    this.#endListener?.(id);
    const callbacks = run.ended;
    run.ended = undefined;
    if (callbacks !== undefined) for (const callback of callbacks) callback();
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async #beat(): Promise<void> {
    if (this.#beating || this.#held.size === 0) return; // a slow beat is not stacked on
    this.#beating = true;
    try {
      await this.#extend([...this.#held]);
    } catch {
      // Redis unreachable: the next beat retries; a lease that expires meanwhile is redelivered,
      // which at-least-once delivery allows.
    } finally {
      this.#beating = false;
    }
  }
}

/** The task id of a lease member "<token>:<id>" (see includes/leaseJobId.lua). */
function leaseJobId(member: string): string {
  return member.slice(member.indexOf(':') + 1);
}
