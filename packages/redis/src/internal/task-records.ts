import type { ApplyResult, Delivery, RecordListener, StateUpdate } from '@celeriac/core/adapter';
import { type TaskRecord, isTerminal } from '@celeriac/core';
import type { LocalRuns } from './lease-keeper.js';
import type { RedisClients } from './connection.js';
import type { BackendKeys } from './keys.js';
import { BUILTIN_STATES_ARG, type PendingUpdate, applyArgs, applyResults, batchTokenOf, decodeStoredRecord, updateSourcesArg } from './record-codec.js';
import { nextCallToken } from './call-token.js';
import { replyArray, replyNumber, replyString } from './reply.js';
import { SCRIPTS, type ScriptArg, runScript } from './scripts.js';
import type { StoreParts } from './store-parts.js';
import type { SubscriberHub } from './subscriber-hub.js';
import { TickBatcher } from './tick-batcher.js';


/**
 * The record half of the Redis store: one record per task (kept `resultTtl` after its last
 * change), every change checked by the state machine and published, atomically, in Lua. Updates
 * made in the same turn of the event loop share one script call. `subscribe` shares the store's
 * one pub/sub connection.
 *
 * Listeners of this process hear a change this process made as soon as its script returns, without
 * waiting for the pub/sub echo; each listener set gets every seq once, in order (older or repeated
 * records, like that echo, are dropped).
 *
 * A task that runs in this process because its own enqueue handed it to a sleeping worker of the
 * process (the store's queue holds its lease; see includes/handOff.lua) is followed without Redis
 * while it runs: `subscribe` listens here only and `get` answers with the newest record this process
 * stored for it. While the lease is held, its record changes through this process only: its
 * worker's updates and outcome, until a revocation is announced. When the run ends without a final
 * record (a retry, a hand-back, a lost lease) or is revoked, its followers subscribe in Redis and
 * read the stored record, as any other follower. A waiter on a task its own process
 * runs, the common case of a web app with embedded workers, thus costs no SUBSCRIBE, no read and
 * no event.
 */
export class TaskRecords {
  readonly #resultTtl: number;
  readonly #taskListLimit: number;
  readonly #taskListTtl: number;
  readonly #keys: BackendKeys;
  readonly #clients: RedisClients;
  readonly #hub: SubscriberHub;
  readonly #applies: TickBatcher<PendingUpdate, ApplyResult>;
  readonly #listeners = new Map<string, Listeners>();
  readonly #unlisten = new Map<string, Promise<() => void>>();
  /** The tasks running here, and the newest record stored for each (see above). */
  readonly #localRuns: LocalRuns;
  readonly #localRecords = new Map<string, TaskRecord>();
  readonly #stopResync: () => void;
  #closed = false;

  constructor(parts: StoreParts) {
    this.#resultTtl = parts.options.resultTtl;
    this.#taskListLimit = parts.options.taskListLimit;
    this.#taskListTtl = parts.options.taskListTtl;
    this.#keys = parts.recordKeys;
    this.#clients = parts.clients;
    this.#hub = parts.hub;
    // The store's leases are the runs of this process.
    this.#localRuns = parts.leases;
    this.#localRuns.watchEnds((id) => this.#localRecords.delete(id));
    this.#applies = new TickBatcher((batch) => this.#applyBatch(batch), parts.options.maxBatch);
    this.#stopResync = this.#hub.onResync(() => void this.#resync());
  }

  /** With `delivery`, fenced: applied only while the delivery holds its lease (checked in the script). */
  async apply(update: StateUpdate, delivery?: Delivery): Promise<ApplyResult> {
    this.#assertOpen();
    if (typeof update?.id !== 'string' || update.id.length === 0) throw new TypeError('apply(): update.id must be a non-empty string');
    const sources = updateSourcesArg(update);
    if (sources === undefined) return { applied: false, current: await this.get(update.id) };
    await this.#clients.ready();
    return this.#applies.add(delivery === undefined ? { update, sources } : { update, sources, member: delivery.receipt });
  }

  async get(id: string): Promise<TaskRecord | null> {
    this.#assertOpen();
    const local = this.#localRecords.get(id);
    if (local !== undefined) return local;
    await this.#clients.ready();
    // The stored record, or the PENDING or STARTED record a live message implies (readRecord-4.lua).
    const keys = [this.#keys.record(id), this.#keys.bodies, this.#keys.run, this.#keys.meta];
    const stored = await runScript(this.#clients.command, SCRIPTS.readRecord, keys, [id, JSON.stringify(id)]);
    return stored === null ? null : decodeStoredRecord(replyString(stored));
  }

  async forget(id: string): Promise<void> {
    this.#assertOpen();
    await this.#clients.ready();
    // Its timeline, its entry in a finished list and the message body kept for it go with it (forgetRecord-7.lua).
    const keys = [this.#keys.record(id), this.#keys.timeline(id), ...this.#keys.taskLists, this.#keys.bodies, this.#keys.meta];
    await runScript(this.#clients.command, SCRIPTS.forgetRecord, keys, [id]);
    this.#localRecords.delete(id);
    // A forgotten id may be used again from seq 1.
    const listeners = this.#listeners.get(id);
    if (listeners !== undefined) {
      listeners.lastSeq = 0;
      listeners.finished = false;
    }
  }

  async subscribe(id: string, listener: RecordListener): Promise<() => void> {
    this.#assertOpen();
    await this.#clients.ready();
    let listeners = this.#listeners.get(id);
    if (listeners === undefined) {
      const created: Listeners = { set: new Set(), lastSeq: 0, finished: false };
      listeners = created;
      this.#listeners.set(id, created);
      const runsHere = this.#localRuns.onEnd(id, () => this.#followInRedis(id, created));
      this.#unlisten.set(id, runsHere ? LISTENING_HERE : this.#listenInRedis(id, created));
    }
    listeners.set.add(listener);
    try {
      await this.#unlisten.get(id);
    } catch (error) {
      this.#removeListener(id, listener);
      throw error;
    }
    return () => this.#removeListener(id, listener);
  }

  /** One channel handler per id, parsing each event once for all of its listeners. */
  #listenInRedis(id: string, listeners: Listeners): Promise<() => void> {
    return this.#hub.listen(this.#keys.events(id), (message) => emit(listeners, JSON.parse(message) as TaskRecord), this.#keys.followChannel);
  }

  /** A task followed here has stopped running here: its followers, unless gone or told its outcome, go through Redis. */
  #followInRedis(id: string, listeners: Listeners): void {
    if (this.#closed || listeners.finished || this.#listeners.get(id) !== listeners) return;
    const live = this.#listenInRedis(id, listeners);
    this.#unlisten.set(id, live);
    // Subscribed, then read: whatever changed since the run ended is seen.
    live
      .then(() => this.get(id))
      .then((record) => {
        if (record !== null) emit(listeners, record);
      })
      .catch(() => undefined); // closed or disconnected: a reconnect resyncs the listeners
  }

  async completeGroupMember(groupId: string, memberId: string, size: number): Promise<boolean> {
    this.#assertOpen();
    if (!Number.isSafeInteger(size) || size < 1) throw new TypeError(`completeGroupMember(): size must be a positive integer, got ${String(size)}`);
    await this.#clients.ready();
    return replyNumber(await runScript(this.#clients.command, SCRIPTS.completeGroup, [this.#keys.groupMembers(groupId)], [memberId, size, this.#resultTtl])) === 1;
  }

  async compareAndSet(key: string, expected: string | null, value: string, ttlMs?: number): Promise<boolean> {
    this.#assertOpen();
    if (ttlMs !== undefined && !(Number.isFinite(ttlMs) && ttlMs > 0)) {
      throw new TypeError(`compareAndSet(): ttlMs must be a positive number of ms, got ${String(ttlMs)}`);
    }
    await this.#clients.ready();
    const args = [expected === null ? '0' : '1', expected ?? '', value, ttlMs === undefined ? '' : Math.ceil(ttlMs)];
    return replyNumber(await runScript(this.#clients.command, SCRIPTS.compareAndSet, [this.#keys.value(key)], args)) === 1;
  }

  /**
   * A FAILURE record back to PENDING with seq + 1 and attempt + 1, its FAILURE kept in its timeline
   * and taken off the FAILURE list, listed among the live tasks again (`ResultBackend.reopen`,
   * reopenBackendRecord-5.lua).
   */
  async reopen(id: string, reason = 'requeued from the dead-letter queue'): Promise<ApplyResult> {
    this.#assertOpen();
    await this.#clients.ready();
    const k = this.#keys;
    const keys = [k.record(id), k.timeline(id), k.taskLists[1], k.bodies, k.remembered];
    const reply = await runScript(this.#clients.command, SCRIPTS.reopenBackendRecord, keys, [this.#resultTtl, k.events(id), id, reason]);
    this.#localRecords.delete(id);
    if (reply === null) return { applied: false, current: await this.get(id) };
    return { applied: true, record: decodeStoredRecord(replyString(reply)) };
  }

  async getValue(key: string): Promise<string | null> {
    this.#assertOpen();
    await this.#clients.ready();
    return this.#clients.command.get(this.#keys.value(key));
  }

  /** Stops listening and waits for queued updates (the store closes the connections). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopResync();
    await this.#applies.drain();
    const unlistens = await Promise.allSettled(this.#unlisten.values());
    for (const outcome of unlistens) if (outcome.status === 'fulfilled') outcome.value();
    this.#listeners.clear();
    this.#unlisten.clear();
    this.#localRecords.clear();
  }

  async #applyBatch(batch: PendingUpdate[]): Promise<ApplyResult[]> {
    const firstKey = this.#keys.record((batch[0] as PendingUpdate).update.id);
    const args = this.recordArgs(batch);
    const keys = [firstKey, this.#keys.bodies, this.#keys.run, this.#keys.replay(batchTokenOf(args)), this.#keys.leases, ...this.#keys.taskLists, this.#keys.meta];
    args.push(this.#taskListLimit, this.#taskListTtl);
    // Fenced updates: every update's lease member ('' for none) after the record arguments.
    if (batch.some((p) => p.member !== undefined)) for (const p of batch) args.push(p.member ?? '');
    return this.results(batch, await runScript(this.#clients.command, SCRIPTS.applyUpdates, keys, args));
  }

  /** applyUpdates-9.lua's ARGV[1..5] (prefixes, TTL, built-in states, a fresh batch token), for the store's scripts that make their own updates. */
  recordHeader(): ScriptArg[] {
    return [this.#keys.recordPrefix, this.#keys.eventPrefix, this.#resultTtl, BUILTIN_STATES_ARG, nextCallToken()];
  }

  /** The record arguments of applyUpdates-9.lua (prefixes, TTL, packed updates) for a batch. */
  recordArgs(batch: readonly PendingUpdate[]): ScriptArg[] {
    return [this.#keys.recordPrefix, this.#keys.eventPrefix, this.#resultTtl, ...applyArgs(batch)];
  }

  /** A script's applyUpdates-style reply as results, told at once to this process's listeners (as `apply` does). */
  results(batch: readonly PendingUpdate[], reply: unknown): ApplyResult[] {
    return applyResults(batch, replyArray(reply, 'applyUpdates')).map((r) => {
      if (!r.applied) {
        const current = r.stored === null ? null : decodeStoredRecord(r.stored);
        return r.leaseLost ? { applied: false, current, leaseLost: true } : { applied: false, current };
      }
      if (this.#localRuns.has(r.record.id)) this.#keepLocal(r.record);
      const listeners = this.#listeners.get(r.record.id);
      if (listeners !== undefined) emit(listeners, r.record);
      return r;
    });
  }

  /** Keeps the newest record of a task running here, until its run ends. */
  #keepLocal(record: TaskRecord): void {
    const kept = this.#localRecords.get(record.id);
    if (kept === undefined || record.seq > kept.seq) this.#localRecords.set(record.id, record);
  }

  /** After a reconnect: events published meanwhile are lost, so give every listener the stored record. */
  async #resync(): Promise<void> {
    const ids = [...this.#listeners.keys()];
    for (let i = 0; i < ids.length && !this.#closed; i += 500) {
      const chunk = ids.slice(i, i + 500);
      let values: (string | null)[];
      try {
        values = await this.#clients.command.mget(chunk.map((id) => this.#keys.record(id)));
      } catch {
        return; // disconnected again: the next reconnect resyncs
      }
      chunk.forEach((id, j) => {
        const stored = values[j];
        const listeners = this.#listeners.get(id);
        if (stored !== null && stored !== undefined && listeners !== undefined) emit(listeners, decodeStoredRecord(stored));
      });
    }
  }

  #removeListener(id: string, listener: RecordListener): void {
    const listeners = this.#listeners.get(id);
    if (listeners === undefined || !listeners.set.delete(listener) || listeners.set.size > 0) return;
    this.#listeners.delete(id);
    const unlisten = this.#unlisten.get(id);
    this.#unlisten.delete(id);
    void unlisten?.then((stop) => stop(), () => undefined);
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('RedisStore is closed');
  }
}

/** The "unlisten" of an id followed here: nothing to undo in Redis. */
const LISTENING_HERE: Promise<() => void> = Promise.resolve(() => undefined);

/** The listeners of one id, the newest seq they were given, and whether it was a final state. */
interface Listeners {
  readonly set: Set<RecordListener>;
  lastSeq: number;
  finished: boolean;
}

function emit(listeners: Listeners, record: TaskRecord): void {
  if (record.seq <= listeners.lastSeq) return;
  listeners.lastSeq = record.seq;
  listeners.finished = isTerminal(record.state);
  for (const listener of listeners.set) {
    try {
      listener(record);
    } catch {
      // A listener's bug must not stop the others.
    }
  }
}
