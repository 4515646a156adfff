import type { StartedDelivery } from '@celeriac/core/adapter';

/** What an enqueue handed to a parked reserve, once its reply came. */
export interface HandOff {
  /** Leased to the reserve, STARTED stored (implied), leases held by this process. */
  readonly deliveries: StartedDelivery[];
  /** The call made nothing else ready: the reserve's queues are as drained as when it parked. */
  readonly complete: boolean;
}

/** A reserve of this process asleep for lack of work (see Reserver), which an enqueue may hand messages to. */
export interface ParkedReserve {
  /** The ready keys it takes from: those of its tasks without a rate limit. */
  readonly readyKeys: ReadonlySet<string>;
  /** Its free slots: at most this many messages are handed to it. */
  readonly max: number;
  /** Its worker (`ReserveRequest.worker`), named in the STARTED of what it is handed. */
  readonly worker: string | undefined;
  /** Ends its sleep: `handOff` resolves once the claiming enqueue replies (rejects if it failed). */
  claim(handOff: Promise<HandOff>): void;
}

/**
 * The reserves of this process that are asleep waiting for work. A producer and an idle worker in
 * one process (a web app's embedded worker, a script that runs what it queues) then skip the
 * wake-up and the reserve call: the enqueue leases the new messages to the sleeping reserve in the
 * same script call (see includes/handOff.lua), one round trip instead of two.
 * To compare: `tuning: { handOff: false }`.
 */
export class ParkedReserves {
  readonly #parked = new Set<ParkedReserve>();

  /** Registers a sleeping reserve; the returned function takes it back (a no-op once claimed). */
  park(reserve: ParkedReserve): () => void {
    this.#parked.add(reserve);
    return () => this.#parked.delete(reserve);
  }

  /** Whether any reserve is parked (an enqueue looks for candidates only then). */
  get empty(): boolean {
    return this.#parked.size === 0;
  }

  /** The first parked reserve that takes from one of these ready keys, removed from the set: the caller must claim it. */
  take(readyKeys: Iterable<string>): ParkedReserve | undefined {
    const wanted = [...readyKeys];
    for (const reserve of this.#parked) {
      if (wanted.some((key) => reserve.readyKeys.has(key))) {
        this.#parked.delete(reserve);
        return reserve;
      }
    }
    return undefined;
  }
}
