import { type ApplyResult, type CombinedStore, type Delivery, type EnqueueOptions, type ReserveRequest, type StartedDelivery, type StateUpdate, type TaskMessage, TaskStates } from '@celeriac/core';
import type { BackendParts } from './backend-parts.js';
import type { BrokerScripts } from './broker-scripts.js';
import type { HandOff, ParkedReserves } from './hand-off.js';
import type { BrokerKeys } from './keys.js';
import type { LeaseKeeper } from './lease-keeper.js';
import { type StoredMessage, requeuedMessage, storedMessage } from './message-fields.js';
import { CREATE_SOURCES_ARG, type PendingUpdate, sourcesArg, updateSourcesArg } from './record-codec.js';
import type { StartOnReserve } from './reserver.js';
import { replyArray, replyNumber } from './reply.js';
import { TickBatcher } from './tick-batcher.js';
import type { WakeSignal } from './wake-signal.js';

/** What the store borrows from its broker. */
export interface CombinedStoreDeps {
  readonly scripts: BrokerScripts;
  readonly backend: BackendParts;
  readonly wake: WakeSignal;
  readonly leases: LeaseKeeper;
  readonly maxBatch: number;
  ready(): Promise<void>;
  /** Whether `ready()` has resolved once (no need to wait for it again). */
  connected(): boolean;
  assertOpen(): void;
  /** Settles a delivery whose update is no state at all (refused before any script). */
  ack(delivery: Delivery): Promise<void>;
  get(id: string): Promise<ApplyResult & { applied: false }>;
  /** Stores PENDING for a run handed back before it ran (its reserve stored STARTED). */
  markPending(message: TaskMessage): Promise<unknown>;
  /** The broker's reserve, storing STARTED as it takes (see Reserver). */
  reserve(request: ReserveRequest, start: StartOnReserve): Promise<StartedDelivery[]>;
  /** This process's reserves asleep for lack of work, to hand new messages to. */
  readonly parked: ParkedReserves;
  readonly keys: BrokerKeys;
  readonly visibilityTimeout: number;
}

interface EnqueueGroup {
  readonly messages: StoredMessage[];
  readonly updates: PendingUpdate[];
  readonly freshIds: boolean;
}

interface Settlement extends PendingUpdate {
  readonly member: string;
  readonly next: StoredMessage | undefined;
}

/**
 * The combined fast paths of a Redis broker and its partner backend (same connection, same
 * prefix): record + publish, and outcome + settle, each one Lua script call. Like `publish` and
 * `apply`, calls made in the same turn of the event loop share one script call: a worker's tasks
 * finish in bursts, so a burst of completions costs one round trip.
 */
export class RedisCombinedStore implements CombinedStore {
  readonly #deps: CombinedStoreDeps;
  readonly #enqueues: TickBatcher<EnqueueGroup, ApplyResult[]>;
  readonly #settles: TickBatcher<Settlement, ApplyResult>;
  readonly #pendingSources: string;
  readonly #start: StartOnReserve;

  constructor(deps: CombinedStoreDeps) {
    this.#deps = deps;
    this.#enqueues = new TickBatcher((groups) => this.#enqueueBatch(groups), deps.maxBatch, (group) => group.messages.length);
    this.#settles = new TickBatcher((batch) => this.#settleBatch(batch), deps.maxBatch);
    this.#pendingSources = CREATE_SOURCES_ARG; // enqueue only creates: never resets a running task
    const startedSources = sourcesArg(TaskStates.STARTED) as string;
    this.#start = {
      args: () => [...deps.backend.recordHeader(), startedSources],
      results: (taken, reply) => deps.backend.results(...startedResults(taken, reply, startedSources)),
      undo: async (deliveries) => {
        await Promise.all(deliveries.filter((d) => d.started.applied).map((d) => deps.markPending(d.message)));
      },
    };
  }

  async reserveStarted(request: ReserveRequest): Promise<StartedDelivery[]> {
    this.#assertOpen();
    await this.#deps.ready();
    return this.#deps.reserve(request, this.#start);
  }

  async enqueue(messages: readonly TaskMessage[], options?: EnqueueOptions): Promise<ApplyResult[]> {
    this.#assertOpen();
    if (messages.length === 0) return [];
    // Once connected, encoded and sent before this call returns: a bulk's caller builds its next
    // step while Redis runs this one (see buildAndEnqueueInSteps in core).
    if (!this.#deps.connected()) await this.#deps.ready();
    const stored = messages.map((m) => storedMessage(m));
    // Only the results are built from these: the script stores no PENDING record (the waiting
    // message implies it, with its createdAt as updatedAt).
    const updates = stored.map(({ message }): PendingUpdate => ({
      update: { id: message.id, task: message.task, state: TaskStates.PENDING, attempt: message.attempt },
      sources: this.#pendingSources,
      at: message.createdAt,
    }));
    return this.#enqueues.add({ messages: stored, updates, freshIds: options?.freshIds === true });
  }

  async settle(delivery: Delivery, update: StateUpdate, next?: TaskMessage): Promise<ApplyResult> {
    this.#assertOpen();
    const sources = updateSourcesArg(update);
    if (sources === undefined) {
      await this.#deps.ack(delivery);
      return this.#deps.get(update.id);
    }
    const settlement: Settlement = { update, sources, member: delivery.receipt, next: next === undefined ? undefined : requeuedMessage(delivery, next) };
    try {
      // Once connected, no await of its own: this runs for every task a worker finishes.
      if (!this.#deps.connected()) await this.#deps.ready();
      return await this.#settles.add(settlement);
    } finally {
      this.#deps.leases.release(delivery.receipt);
    }
  }

  /** Resolves once every call made so far is answered (for the broker's close()). */
  async drain(): Promise<void> {
    await Promise.all([this.#enqueues.drain(), this.#settles.drain()]);
  }

  async #enqueueBatch(groups: EnqueueGroup[]): Promise<ApplyResult[][]> {
    const { scripts, backend, wake } = this.#deps;
    const updates = groups.flatMap((g) => g.updates);
    const messages = groups.flatMap((g) => g.messages);
    const shapes = groups.map((g) => ({ size: g.messages.length, freshIds: g.freshIds }));
    // Candidates are looked for only while a reserve sleeps: a bulk enqueue pays nothing otherwise.
    const offered = this.#deps.parked.empty ? new Map<string, StoredMessage[]>() : this.#handOffCandidates(groups);
    const parked = offered.size > 0 ? this.#deps.parked.take(offered.keys()) : undefined;
    const shared = parked === undefined ? [] : [...offered].filter(([key]) => parked.readyKeys.has(key));
    const target = parked === undefined ? undefined : { max: parked.max, visibilityTimeout: this.#deps.visibilityTimeout, readyKeys: shared.map(([key]) => key) };
    const enqueued = scripts.enqueue(wake.origin, backend.recordHeader(), shapes, messages, target);
    // This process ignores its own wake-ups' echo (see WakeSignal), so its waiters are woken here:
    // not for what the parked reserve can take (what the script declines, it reserves itself),
    // unless it is offered more than its free slots.
    const offeredToParked = new Set(shared.flatMap(([, m]) => m));
    const takesAll = parked !== undefined && offeredToParked.size <= parked.max;
    wake.notifyPublished(takesAll ? messages.filter((m) => !offeredToParked.has(m)) : messages);
    parked?.claim(enqueued.then((reply) => this.#handedOff(messages, reply)));
    const results = backend.results(updates, (await enqueued)[0]);
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
        const key = this.#deps.keys.ready(queue, task);
        const list = byKey.get(key);
        if (list === undefined) byKey.set(key, [stored]);
        else list.push(stored);
      }
    }
    return byKey;
  }

  /** The deliveries of the messages the enqueue leased to a parked reserve (enqueueJobs-10.lua's handedOff). */
  #handedOff(messages: readonly StoredMessage[], reply: unknown[]): HandOff {
    const [token, ...numbers] = replyArray(reply[1], 'enqueueJobs').map((n) => replyNumber(n));
    const taken = numbers.map((n) => messages[n - 1] as StoredMessage);
    const now = replyArray(reply[0], 'enqueueJobs')[0];
    // Leases first, held as local runs: the backend keeps these tasks' records from their STARTED
    // on, for waiters of this process (see RedisBackend).
    const receipts = taken.map(({ message }) => `${Number(token)}:${message.id}`);
    for (const receipt of receipts) this.#deps.leases.hold(receipt, true);
    // Every STARTED is implied (a fresh id has no record): the reserve's reply for that is { now }.
    const started = this.#start.results(
      taken.map(({ message }) => ({ id: message.id, message })),
      [now],
    );
    const deliveries = taken.map(({ message }, j): StartedDelivery => ({ message, deliveries: 1, receipt: receipts[j] as string, started: started[j] as ApplyResult }));
    return { deliveries, complete: taken.length === messages.length };
  }

  async #settleBatch(batch: Settlement[]): Promise<ApplyResult[]> {
    const { scripts, backend, wake } = this.#deps;
    const results = backend.results(batch, await scripts.settle(backend.recordArgs(batch), batch));
    // A requeued retry may be delayed (no wake-up is published for it): waiters look again now.
    if (batch.some((s) => s.next !== undefined)) wake.notify();
    return results;
  }

  #assertOpen(): void {
    this.#deps.assertOpen();
    this.#deps.backend.assertOpen();
  }
}

/**
 * The reserve's STARTED reply (see reserveJobs-8.lua) as an applyUpdates batch and reply. A stored
 * STARTED kept the record's task and used the message's attempt: both come back in the reply. An
 * implied one (seq -2, no extras) is seq 2 with the message's task and attempt.
 */
function startedResults(taken: readonly { id: string; message: TaskMessage | undefined }[], reply: unknown, sources: string): [PendingUpdate[], unknown[]] {
  const seqs = [...replyArray(reply, 'reserveJobs')];
  // { now } alone: every STARTED was implied, each a -2 (see reserveJobs-8.lua).
  const allImplied = seqs.length === 1;
  const batch = taken.map(({ id, message }, j): PendingUpdate => {
    if (!allImplied && seqs[j + 1] !== -2) return { update: { id, state: TaskStates.STARTED }, sources };
    seqs[j + 1] = 2;
    // An undecodable message is dead-lettered, and its result never used.
    return { update: { id, state: TaskStates.STARTED, task: message?.task ?? '', attempt: message?.attempt ?? 1 }, sources };
  });
  return [batch, seqs];
}
