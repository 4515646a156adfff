import { isTerminal } from '@celeriac/core';
import { PURGED_REASON } from '@celeriac/core/adapter';
import type { RedisClient } from './connection.js';
import { nextCallToken } from './call-token.js';
import type { BackendKeys, BrokerKeys } from './keys.js';
import { PRIORITY_UNIT, type StoredMessage, messageFields, publishArgs } from './message-fields.js';
import { type PendingUpdate, batchTokenOf, workerFragment } from './record-codec.js';
import { replyArray, replyNumber, replyString } from './reply.js';
import { PreparedScript, SCRIPTS, type ScriptArg, runScript } from './scripts.js';

/** The REVOKED payload of a purged task's record (see purgeQueue-7.lua). */
const PURGED_PAYLOAD = `,"meta":${JSON.stringify({ reason: PURGED_REASON })}`;

/** One enqueue call within a batched enqueueJobs call: its number of messages, and whether their ids are fresh. */
export interface EnqueueGroupShape {
  readonly size: number;
  readonly freshIds: boolean;
}

/** A parked reserve an enqueue may hand messages to (see includes/handOff.lua). */
export interface HandOffTarget {
  readonly max: number;
  readonly visibilityTimeout: number;
  readonly readyKeys: Iterable<string>;
  /** The reserve's worker, for the STARTED it implies (see includes/handOff.lua). */
  readonly worker: string | undefined;
}

/** One delivery to settle: its update, its lease member and the message to requeue in its place. */
export interface SettleItem extends PendingUpdate {
  readonly member: string;
  readonly next: StoredMessage | undefined;
}

/** What the dead-letter and inbox scripts need besides the broker's keys. */
export interface ScriptLimits {
  readonly resultTtl: number;
  readonly deadLetterLimit: number;
  readonly deadLetterTtl: number;
  /** The finished lists' bounds (see lua/includes/taskLists.lua). */
  readonly taskListLimit: number;
  readonly taskListTtl: number;
  /** `shortPaths: false` sends every call to the general scripts (a comparison run). */
  readonly tuning: { readonly shortPaths: boolean };
}

/**
 * The broker's Lua scripts, each with its KEYS in the order its header documents: the one place
 * that knows which keys a script touches.
 */
export class BrokerScripts {
  readonly #redis: RedisClient;
  readonly #k: BrokerKeys;
  /** Record keys, for the scripts that reopen a record (a requeued dead letter) or check an id is free (inbox). */
  readonly #rk: BackendKeys;
  readonly #limits: ScriptLimits;
  // The hot scripts, bound once to their keys and constant leading arguments.
  readonly #publish: PreparedScript;
  readonly #reserve: PreparedScript;
  readonly #ack: PreparedScript;
  readonly #enqueue: PreparedScript;
  readonly #enqueueOne: PreparedScript;
  readonly #settle: PreparedScript;
  readonly #settleOne: PreparedScript;
  readonly #settleShaped: PreparedScript;
  readonly #extendLeases: PreparedScript;

  constructor(redis: RedisClient, k: BrokerKeys, rk: BackendKeys, limits: ScriptLimits) {
    this.#redis = redis;
    this.#k = k;
    this.#rk = rk;
    this.#limits = limits;
    // A call's replay key, its last KEY, comes with each call (see PreparedScript).
    this.#publish = new PreparedScript(SCRIPTS.publishJobs, [k.seq, k.revoked, k.body, k.meta, k.dlv, k.routes], [k.wakePrefix, PRIORITY_UNIT], 1);
    this.#reserve = new PreparedScript(SCRIPTS.reserveJobs, [k.leases, k.tokens, k.revoked, k.body, k.meta, k.dlv, k.routes, k.run, k.paused], [k.wakePrefix]);
    this.#ack = new PreparedScript(SCRIPTS.ackJobs, [k.leases, k.body, k.meta, k.dlv, k.run]);
    const enqueueKeys = [k.seq, k.revoked, k.body, k.meta, k.dlv, k.routes, k.leases, k.tokens, k.run, k.paused];
    this.#enqueue = new PreparedScript(SCRIPTS.enqueueJobs, enqueueKeys, [k.wakePrefix, PRIORITY_UNIT], 1);
    this.#enqueueOne = new PreparedScript(SCRIPTS.enqueueOne, enqueueKeys, [k.wakePrefix, PRIORITY_UNIT], 1);
    const settleKeys = [k.leases, k.seq, k.revoked, k.body, k.meta, k.dlv, k.routes, k.run, ...rk.taskLists];
    const settleLeading = [k.wakePrefix, PRIORITY_UNIT, limits.taskListLimit, limits.taskListTtl];
    this.#settle = new PreparedScript(SCRIPTS.settleJobs, settleKeys, settleLeading, 1);
    this.#settleOne = new PreparedScript(SCRIPTS.settleOne, settleKeys, settleLeading, 1);
    this.#settleShaped = new PreparedScript(SCRIPTS.settleShaped, settleKeys, settleLeading, 1);
    this.#extendLeases = new PreparedScript(SCRIPTS.extendLeases, [k.leases]);
  }

  /**
   * `origin` is the wake message, so this process can tell its own wake-ups (see WakeSignal);
   * `afterResend` as in PreparedScript.run: the caller's waiters may have looked before it ran.
   */
  publish(batch: readonly StoredMessage[], origin: string, afterResend?: () => void): Promise<unknown> {
    return this.#publish.run(this.#redis, [origin, ...publishArgs(this.#k, batch)], [this.#k.replay(nextCallToken())], afterResend);
  }

  /** `tail`: the rate limits and queues (see ReserveArgs); `start`: the STARTED flag and its arguments. */
  async reserve(visibilityTimeout: number, max: number, acks: readonly string[], tail: readonly ScriptArg[], start: readonly ScriptArg[]): Promise<unknown[]> {
    const reply = await this.#reserve.run(this.#redis, [visibilityTimeout, max, acks.length, ...acks, ...tail, ...start]);
    return replyArray(reply, 'reserveJobs');
  }

  ack(members: readonly string[]): Promise<unknown> {
    return this.#ack.run(this.#redis, members);
  }

  /** Settles the delivery leased as `member` and stores `next` in its place. */
  requeue(member: string, next: StoredMessage): Promise<unknown> {
    const k = this.#k;
    const keys = [k.leases, k.seq, k.revoked, k.body, k.meta, k.dlv, k.routes, k.run];
    return runScript(this.#redis, SCRIPTS.requeueJob, keys, [k.wakePrefix, PRIORITY_UNIT, member, ...messageFields(k, next)]);
  }

  deadLetter(member: string, reason: string): Promise<unknown> {
    const k = this.#k;
    const { deadLetterLimit, deadLetterTtl } = this.#limits;
    return runScript(this.#redis, SCRIPTS.deadLetterJob, [k.leases, k.dead, k.body, k.reasons, k.dlv, k.run, k.meta], [member, reason, deadLetterLimit, deadLetterTtl]);
  }

  /**
   * Files a validated raw inbox message in its queue, or dead-letters it with `inUse` as the
   * reason if its id is in use (admitInbox-11.lua). Resolves 1 (admitted), 2 (dead-lettered) or 0.
   */
  async admitInbox(member: string, next: StoredMessage, inUse: string): Promise<number> {
    const k = this.#k;
    const keys = [k.leases, k.seq, k.revoked, k.body, k.meta, k.dlv, k.routes, k.run, k.dead, k.reasons, this.#rk.record(next.message.id)];
    const { deadLetterLimit, deadLetterTtl } = this.#limits;
    return replyNumber(await runScript(this.#redis, SCRIPTS.admitInbox, keys, [k.wakePrefix, PRIORITY_UNIT, member, ...messageFields(k, next), inUse, deadLetterLimit, deadLetterTtl]));
  }

  /** Publishes `batch` and marks `key` (a kv key) in one step, unless it is marked (publishOnce-7.lua). */
  async publishOnce(key: string, batch: readonly StoredMessage[], origin: string): Promise<boolean> {
    const k = this.#k;
    const keys = [k.seq, k.revoked, k.body, k.meta, k.dlv, k.routes, this.#rk.value(key)];
    return replyNumber(await runScript(this.#redis, SCRIPTS.publishOnce, keys, [k.wakePrefix, PRIORITY_UNIT, origin, this.#limits.resultTtl, ...publishArgs(k, batch)])) === 1;
  }

  async purgeDeadLetters(ids: readonly string[] | undefined): Promise<number> {
    const k = this.#k;
    return replyNumber(await runScript(this.#redis, SCRIPTS.purgeDeadLetters, [k.dead, k.body, k.meta, k.dlv, k.run, k.reasons], ids ?? []));
  }

  /**
   * Publishes messages with their PENDING events, per group all or nothing, handing some to a
   * parked reserve if `handOff` names one (enqueueJobs-11.lua, or enqueueOne-11.lua for one message
   * with a fresh id, due now, same arguments). `recordHeader`: the backend's record
   * arguments (applyUpdates-9.lua's ARGV[1..5]). Resolves with `[enqueued, handedOff]`.
   * `afterResend` as in `publish`.
   */
  async enqueue(
    origin: string,
    recordHeader: readonly ScriptArg[],
    groups: readonly EnqueueGroupShape[],
    messages: readonly StoredMessage[],
    handOff: HandOffTarget | undefined,
    afterResend?: () => void,
  ): Promise<unknown[]> {
    const handOffArg = handOff === undefined ? '' : [handOff.max, handOff.visibilityTimeout, `w${workerFragment(handOff.worker)}`, ...handOff.readyKeys].join('\n');
    const groupArgs: ScriptArg[] = [groups.length];
    for (const g of groups) groupArgs.push(g.size, g.freshIds ? 1 : 0);
    const args = [origin, ...recordHeader, handOffArg, ...groupArgs, ...publishArgs(this.#k, messages)];
    const first = messages[0];
    const lone = this.#limits.tuning.shortPaths && messages.length === 1 && groups.length === 1 && groups[0]?.freshIds === true && first?.message.eta === undefined && first?.deliveries === 0;
    const replay = this.#k.replay(batchTokenOf(recordHeader));
    return replyArray(await (lone ? this.#enqueueOne : this.#enqueue).run(this.#redis, args, [replay], afterResend), 'enqueueJobs');
  }

  /**
   * Stores outcomes and settles their deliveries, listing the finished ones and keeping what their
   * states replace in their timelines (settleJobs-12.lua, or for the usual batches
   * settleOne-12.lua and settleShaped-12.lua, same arguments). `recordArgs`: the updates' applyUpdates
   * arguments; `settlements`: per update, its lease member and the message to requeue.
   */
  settle(recordArgs: readonly ScriptArg[], settlements: readonly SettleItem[]): Promise<unknown> {
    const args: ScriptArg[] = [...recordArgs];
    for (const { member, next } of settlements) {
      if (next === undefined) args.push(member, 0);
      else args.push(member, 10, ...messageFields(this.#k, next));
    }
    const shaped = this.#limits.tuning.shortPaths && isOneTerminalShape(settlements);
    const script = !shaped ? this.#settle : settlements.length === 1 ? this.#settleOne : this.#settleShaped;
    return script.run(this.#redis, args, [this.#k.replay(batchTokenOf(recordArgs))]);
  }

  extendLeases(visibilityTimeout: number, members: readonly string[]): Promise<unknown> {
    return this.#extendLeases.run(this.#redis, [visibilityTimeout, ...members]);
  }

  /** Resolves with the raw message removed from waiting (or kept there: it carries a workflow), or null. */
  async revoke(id: string, revokedTtl: number): Promise<string | null> {
    const k = this.#k;
    const keys = [k.revoked, k.body, k.meta, k.dlv, k.routes, k.reasons, k.run, this.#rk.record(id)];
    const removed = await runScript(this.#redis, SCRIPTS.revokeJob, keys, [id, revokedTtl, k.revokeChannel]);
    return typeof removed === 'string' || Buffer.isBuffer(removed) ? String(removed) : null;
  }

  async listDeadLetters(limit: number, offset: number): Promise<unknown[]> {
    const k = this.#k;
    const { deadLetterLimit, deadLetterTtl } = this.#limits;
    const keys = [k.dead, k.body, k.meta, k.routes, k.reasons, k.dlv, k.run];
    return replyArray(await runScript(this.#redis, SCRIPTS.listDeadLetters, keys, [limit, offset, deadLetterLimit, deadLetterTtl]), 'listDeadLetters');
  }

  /** Requeues a dead letter, reopening its FAILURE record in the same step (retryDeadLetter-12.lua). */
  async retryDeadLetter(id: string): Promise<boolean> {
    const k = this.#k;
    const keys = [k.dead, k.seq, k.revoked, k.body, k.meta, k.dlv, k.routes, k.reasons, k.run, this.#rk.record(id), this.#rk.taskLists[1], this.#rk.timeline(id)];
    return replyNumber(await runScript(this.#redis, SCRIPTS.retryDeadLetter, keys, [k.wakePrefix, PRIORITY_UNIT, id, this.#limits.resultTtl, this.#rk.events(id)])) === 1;
  }

  /**
   * Removes up to `max` waiting and delayed messages of a queue, storing REVOKED (reason
   * `purged`) for their records in the same step (purgeQueue-7.lua). Resolves with their ids and stored
   * messages.
   */
  async purgeQueue(queue: string, max: number, recordHeader: readonly ScriptArg[], revokedSources: string): Promise<[id: string, raw: string][]> {
    const k = this.#k;
    const keys = [k.readyKeys(queue), k.delayed(queue), k.body, k.meta, k.dlv, k.run, this.#rk.taskLists[2]];
    const { taskListLimit, taskListTtl } = this.#limits;
    const reply = await runScript(this.#redis, SCRIPTS.purgeQueue, keys, [max, ...recordHeader, revokedSources, PURGED_PAYLOAD, taskListLimit, taskListTtl]);
    const flat = replyArray(reply, 'purgeQueue');
    const out: [string, string][] = [];
    for (let at = 0; at + 1 < flat.length; at += 2) out.push([replyString(flat[at]), replyString(flat[at + 1])]);
    return out;
  }

  /**
   * Runs a FAILURE task again (retryTask-9.lua): its record back to PENDING if it still has `seq`,
   * and `next` (its message as the new attempt) filed on its queue, in one step.
   */
  async retryTask(seq: number, next: StoredMessage): Promise<boolean> {
    const k = this.#k;
    const id = next.message.id;
    const keys = [this.#rk.record(id), this.#rk.timeline(id), this.#rk.taskLists[1], k.seq, k.revoked, k.body, k.meta, k.dlv, k.routes];
    const args = [k.wakePrefix, PRIORITY_UNIT, this.#limits.resultTtl, this.#rk.events(id), seq, ...messageFields(k, next)];
    return replyNumber(await runScript(this.#redis, SCRIPTS.retryTask, keys, args)) === 1;
  }

  /** Applies the finished lists' bounds now, with the bodies kept for the tasks they drop (trimTaskLists-5.lua). */
  async trimTaskLists(): Promise<void> {
    const { taskListLimit, taskListTtl, resultTtl } = this.#limits;
    const keys = [...this.#rk.taskLists, this.#k.body, this.#k.meta];
    await runScript(this.#redis, SCRIPTS.trimTaskLists, keys, [taskListLimit, taskListTtl, resultTtl]);
  }

  async countQueue(queue: string): Promise<number> {
    const k = this.#k;
    return replyNumber(await runScript(this.#redis, SCRIPTS.countQueue, [k.readyKeys(queue), k.delayed(queue), k.inbox(queue)], []));
  }
}

/**
 * Whether a settle is of the usual kind that has its own scripts (settleOne-12.lua, settleShaped-12.lua):
 * outcomes that all share one shape (task, state, attempt, allowed sources: see applyArgs) moving a
 * started run to a terminal state, so no reply is kept, with no message to requeue. Whether each
 * run's STARTED is implied only Redis knows: the scripts check it, and fall back on the general path.
 */
function isOneTerminalShape(settlements: readonly SettleItem[]): boolean {
  const first = settlements[0];
  if (first === undefined) return false;
  const { task, state, attempt } = first.update;
  if (task === undefined || attempt === undefined || !Number.isSafeInteger(attempt) || attempt < 0 || !isTerminal(state) || !first.sources.includes(',STARTED,')) return false;
  for (const { update, sources, next } of settlements) {
    if (next !== undefined || sources !== first.sources || update.task !== task || update.state !== state || update.attempt !== attempt) return false;
  }
  return true;
}
