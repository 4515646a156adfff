import type { ApplyResult, EnqueueOptions, StartedDelivery, TaskMessage } from '@celeriac/core/adapter';
import { TaskStates } from '@celeriac/core';
import type { HandOff } from './hand-off.js';
import { type StoredMessage, storedMessage } from './message-fields.js';
import { CREATE_SOURCES_ARG, type PendingUpdate } from './record-codec.js';
import { replyArray, replyNumber } from './reply.js';
import type { StartOnReserve } from './reserver.js';
import { impliedStarts } from './start-on-reserve.js';
import type { StoreParts } from './store-parts.js';
import type { TaskRecords } from './task-records.js';
import { TickBatcher } from './tick-batcher.js';

interface EnqueueGroup {
  readonly messages: StoredMessage[];
  readonly updates: PendingUpdate[];
  readonly freshIds: boolean;
}

/**
 * Creates the PENDING records and publishes the messages in one script call (enqueueJobs, or
 * enqueueOne for a lone message), each caller's group all or nothing. Enqueues made in the same
 * turn of the event loop share one call.
 *
 * The hand-off: while a reserve of this process sleeps for lack of work (a web app with an
 * embedded worker, a script that runs what it queues), the same call leases it the new messages
 * (includes/handOff.lua), one round trip instead of an enqueue, a wake-up and a reserve. Only
 * fresh ids that are due now are offered, and only while a reserve is parked, so a bulk enqueue
 * pays nothing. `tuning: { handOff: false }` turns it off for a comparison run.
 */
export class EnqueueStep {
  readonly #parts: StoreParts;
  readonly #records: TaskRecords;
  readonly #start: StartOnReserve;
  readonly #enqueues: TickBatcher<EnqueueGroup, ApplyResult[]>;

  constructor(parts: StoreParts, records: TaskRecords, start: StartOnReserve) {
    this.#parts = parts;
    this.#records = records;
    this.#start = start;
    this.#enqueues = new TickBatcher((groups) => this.#enqueueBatch(groups), parts.options.maxBatch, (group) => group.messages.length);
  }

  async enqueue(messages: readonly TaskMessage[], options?: EnqueueOptions): Promise<ApplyResult[]> {
    if (messages.length === 0) return [];
    // Once connected, encoded and sent before this call returns: a bulk's caller builds its next
    // step while Redis runs this one (see buildAndEnqueueInSteps in core).
    if (!this.#parts.clients.connected) await this.#parts.clients.ready();
    const stored = messages.map((m) => storedMessage(m));
    // Only the results are built from these: the script stores no PENDING record (the waiting
    // message implies it, with its createdAt as updatedAt). Enqueue only creates: it never resets
    // a running task.
    const updates = stored.map(({ message }): PendingUpdate => ({
      update: { id: message.id, task: message.task, state: TaskStates.PENDING, attempt: message.attempt },
      sources: CREATE_SOURCES_ARG,
      at: message.createdAt,
    }));
    return this.#enqueues.add({ messages: stored, updates, freshIds: options?.freshIds === true });
  }

  /** Resolves once every enqueue made so far is answered (for the store's close()). */
  drain(): Promise<void> {
    return this.#enqueues.drain();
  }

  async #enqueueBatch(groups: EnqueueGroup[]): Promise<ApplyResult[][]> {
    const { scripts, wake, parked, options } = this.#parts;
    const updates = groups.flatMap((g) => g.updates);
    const messages = groups.flatMap((g) => g.messages);
    const shapes = groups.map((g) => ({ size: g.messages.length, freshIds: g.freshIds }));
    const offered = parked.empty || !options.tuning.handOff ? new Map<string, StoredMessage[]>() : this.#handOffCandidates(groups);
    const claimed = offered.size > 0 ? parked.take(offered.keys()) : undefined;
    const shared = claimed === undefined ? [] : [...offered].filter(([key]) => claimed.readyKeys.has(key));
    const target = claimed === undefined ? undefined : { max: claimed.max, visibilityTimeout: options.visibilityTimeout, readyKeys: shared.map(([key]) => key), worker: claimed.worker };
    const mark = this.#parts.replicaAcks?.mark();
    // A call refused with NOSCRIPT runs again after what its local wake-up made waiters send: they
    // may have looked before it ran, and its echo is ignored, so they are woken again.
    const enqueued = scripts.enqueue(wake.originFor(messages), this.#records.recordHeader(), shapes, messages, target, () => wake.notify());
    // This process ignores its own wake-ups' echo (see WakeSignal), so its waiters are woken here:
    // not for what the parked reserve can take (what the script declines, it reserves itself),
    // unless it is offered more than its free slots.
    const offeredToParked = new Set(shared.flatMap(([, m]) => m));
    const takesAll = claimed !== undefined && offeredToParked.size <= claimed.max;
    wake.notifyPublished(takesAll ? messages.filter((m) => !offeredToParked.has(m)) : messages);
    claimed?.claim(enqueued.then((reply) => this.#handedOff(messages, reply, claimed.worker)));
    const reply = await enqueued;
    // With `durable`: acknowledged once replicas hold it (after the reply: a call resent after a
    // redirect or NOSCRIPT must come before the WAIT on the connection).
    if (mark !== undefined) await this.#parts.replicaAcks?.confirm(mark);
    const results = this.#records.results(updates, reply[0]);
    let at = 0;
    return groups.map((g) => results.slice(at, (at += g.messages.length)));
  }

  /** Per ready key, the messages a parked reserve could be handed: fresh ids, ready now. */
  #handOffCandidates(groups: readonly EnqueueGroup[]): Map<string, StoredMessage[]> {
    const byKey = new Map<string, StoredMessage[]>();
    const now = Date.now();
    for (const group of groups) {
      if (!group.freshIds) continue;
      for (const stored of group.messages) {
        const { eta, queue, task } = stored.message;
        if (eta !== undefined && eta > now) continue;
        const key = this.#parts.keys.ready(queue, task);
        const list = byKey.get(key);
        if (list === undefined) byKey.set(key, [stored]);
        else list.push(stored);
      }
    }
    return byKey;
  }

  /** The deliveries of the messages the enqueue leased to a parked reserve (enqueueJobs-11.lua's handedOff). */
  #handedOff(messages: readonly StoredMessage[], reply: unknown[], worker: string | undefined): HandOff {
    const [token, ...numbers] = replyArray(reply[1], 'enqueueJobs').map((n) => replyNumber(n));
    const taken = numbers.map((n) => (messages[n - 1] as StoredMessage).message);
    const now = replyArray(reply[0], 'enqueueJobs')[0];
    // Leases first, held as local runs: the records keep these tasks' records from their STARTED
    // on, for waiters of this process (see TaskRecords).
    const receipts = taken.map((message) => `${Number(token)}:${message.id}`);
    for (const receipt of receipts) this.#parts.leases.hold(receipt, true);
    const started = impliedStarts(this.#start, taken, now, worker);
    const deliveries = taken.map((message, j): StartedDelivery => ({ message, deliveries: 1, receipt: receipts[j] as string, started: started[j] as ApplyResult }));
    return { deliveries, complete: taken.length === messages.length };
  }
}
