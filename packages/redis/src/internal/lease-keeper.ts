/**
 * The leases this process holds, kept alive by one timer: every `intervalMs` a single script call
 * extends them all. A lease leaves the set when its delivery is settled; if the process dies the
 * heartbeats stop and the leases expire, and the broker delivers the messages again.
 */
export class LeaseKeeper {
  readonly #held = new Set<string>();
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

  hold(member: string): void {
    this.#held.add(member);
    if (this.#timer === undefined) {
      this.#timer = setInterval(() => void this.#beat(), this.#intervalMs);
      // Heartbeats alone must not keep a process alive: the worker loop decides that.
      this.#timer.unref();
    }
  }

  release(member: string): void {
    this.#held.delete(member);
  }

  /** Forget every lease without settling it, as if this process died (they expire on their own). */
  forgetAll(): string[] {
    const members = [...this.#held];
    this.#held.clear();
    return members;
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
