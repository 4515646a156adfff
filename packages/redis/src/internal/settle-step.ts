import type { ApplyResult, Delivery, StateUpdate, TaskMessage } from '@celeriac/core/adapter';
import { type StoredMessage, requeuedMessage } from './message-fields.js';
import { type PendingUpdate, updateSourcesArg } from './record-codec.js';
import type { StoreParts } from './store-parts.js';
import type { TaskRecords } from './task-records.js';
import { TickBatcher } from './tick-batcher.js';

interface Settlement extends PendingUpdate {
  readonly member: string;
  readonly next: StoredMessage | undefined;
}

/**
 * Stores a run's outcome and settles its delivery in one script call (settleJobs and its short
 * paths): ack, or requeue the retry in its place. Settles made in the same turn of the event loop
 * share one call: a worker's tasks finish in bursts, so a burst of outcomes costs one round trip.
 * `maxBatch: 1` turns the batching off for a comparison run.
 */
export class SettleStep {
  readonly #parts: StoreParts;
  readonly #records: TaskRecords;
  readonly #settles: TickBatcher<Settlement, ApplyResult>;

  constructor(parts: StoreParts, records: TaskRecords) {
    this.#parts = parts;
    this.#records = records;
    this.#settles = new TickBatcher((batch) => this.#settleBatch(batch), parts.options.maxBatch);
  }

  /** `ack` is the queue's, for an update that is no state at all (refused before any script). */
  async settle(delivery: Delivery, update: StateUpdate, next: TaskMessage | undefined, ack: (delivery: Delivery) => Promise<void>): Promise<ApplyResult> {
    const sources = updateSourcesArg(update);
    if (sources === undefined) {
      await ack(delivery);
      return { applied: false, current: await this.#records.get(update.id) };
    }
    const settlement: Settlement = { update, sources, member: delivery.receipt, next: next === undefined ? undefined : requeuedMessage(delivery, next) };
    try {
      // Once connected, no await of its own: this runs for every task a worker finishes.
      if (!this.#parts.clients.connected) await this.#parts.clients.ready();
      return await this.#settles.add(settlement);
    } finally {
      this.#parts.leases.release(delivery.receipt);
    }
  }

  /** Resolves once every settle made so far is answered (for the store's close()). */
  drain(): Promise<void> {
    return this.#settles.drain();
  }

  async #settleBatch(batch: Settlement[]): Promise<ApplyResult[]> {
    const { scripts, wake } = this.#parts;
    const results = this.#records.results(batch, await scripts.settle(this.#records.recordArgs(batch), batch));
    // A requeued retry may be delayed (no wake-up is published for it): waiters look again now.
    if (batch.some((s) => s.next !== undefined)) wake.notify();
    return results;
  }
}
