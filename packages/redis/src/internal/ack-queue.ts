/**
 * Write-behind acknowledgements. An ack only tidies up: the outcome is already stored, so if an
 * ack is lost (crash, Redis down) the lease expires, the message comes back, and the state machine
 * refuses to run a finished task again. So `ack()` resolves as soon as the ack is queued, and the
 * queue rides along with the next reserve of this process (which follows at once when the ack
 * freed a worker slot), or is sent on its own right after the current microtasks if none comes.
 * This takes one round trip per batch of tasks off the hot path.
 * To compare: no switch; `maxBatch: 1` still sends each ack on its own call.
 */
export class AckQueue {
  #pending: string[] = [];
  #scheduled = false;
  readonly #inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly send: (members: string[]) => Promise<unknown>,
    private readonly maxBatch: number,
  ) {}

  push(member: string): void {
    this.#pending.push(member);
    if (this.#scheduled) return;
    this.#scheduled = true;
    process.nextTick(() => this.#flush());
  }

  /** Up to `maxBatch` queued acks, removed from the queue, for a reserve to settle first. */
  take(): string[] {
    if (this.#pending.length <= this.maxBatch) {
      const all = this.#pending;
      this.#pending = [];
      return all;
    }
    return this.#pending.splice(0, this.maxBatch);
  }

  /** Sends what is queued and waits for every ack sent so far (for close()). */
  async drain(): Promise<void> {
    this.#flush();
    await Promise.allSettled([...this.#inFlight]);
  }

  #flush(): void {
    this.#scheduled = false;
    while (this.#pending.length > 0) {
      const sent = this.send(this.take()).catch(() => undefined); // a lost ack is a harmless redelivery
      this.#inFlight.add(sent);
      void sent.finally(() => this.#inFlight.delete(sent));
    }
  }
}
