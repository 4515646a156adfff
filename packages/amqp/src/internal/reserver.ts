import { type Delivery, type ReserveRequest, type TaskMessage, type Wakeup, checkInboxMessage, encodeTaskMessage, idInUseReason } from '@celeriac/core/adapter';
import { MalformedMessageError } from '@celeriac/core';
import type { Message } from 'amqplib';
import type { ResolvedAmqpOptions } from '../options.js';
import { type DeadLetters, headersOf } from './dead-letters.js';
import type { Arrival } from './inbox.js';
import { APP_ID, PRIOR_HEADER, type Publisher, countKey } from './publisher.js';
import type { Session } from './session.js';
import type { SharedState } from './shared-state.js';
import type { Topology } from './topology.js';

/**
 * Messages one reserve passes over (tasks it does not serve) are held until it ends, then put back
 * in place; past this many it stops asking RabbitMQ for more and waits out its time.
 */
const PASS_OVER_LIMIT = 100;
/** How often a waiting reserve looks whether a paused queue of its request was resumed elsewhere. */
const PAUSE_RECHECK_MS = 1_000;

interface Candidate {
  readonly message: Message;
  readonly task: TaskMessage;
}

/** What one reserve holds back until it ends: tasks it does not serve, and tasks over their rate limit. */
interface Hold {
  readonly skipped: Candidate[];
  readonly limited: Candidate[];
}

/** The receipt of a delivery: the broker, the session (its lease) and the delivery tag. */
export function receiptOf(brokerId: string, session: Session, tag: number): string {
  return `${brokerId}:${session.generation}:${tag}`;
}

/**
 * Reserves from what RabbitMQ pushes to the session's inbox (`basic.consume`), asking for no more
 * than the reserve's `max` (the worker's free slots) through the inbox's prefetch. RabbitMQ pushes
 * a priority queue's messages highest priority first; the buffer is read in the request's queue
 * order, then by priority, then in arrival order.
 */
export class Reserver {
  /** When a rate-limited task may next start, as this process last saw it. */
  nextOpening = Number.POSITIVE_INFINITY;

  constructor(
    private readonly brokerId: string,
    private readonly options: ResolvedAmqpOptions,
    private readonly topology: Topology,
    private readonly publisher: Publisher,
    private readonly deadLetters: DeadLetters,
    private readonly state: SharedState,
  ) {}

  /**
   * Waits until `deadline` for messages of `request` on `session`. Resolves `undefined` if the
   * session ended first (the caller goes on with the next one).
   */
  async reserve(session: Session, request: ReserveRequest, queues: readonly string[], deadline: number, wakeup: Wakeup): Promise<Delivery[] | undefined> {
    if (deadline <= Date.now()) return this.#instant(session, request, await this.#unpaused(session, queues));
    const hold: Hold = { skipped: [], limited: [] };
    session.inbox.reserving(1);
    try {
      for (;;) {
        const seen = session.inbox.arrivals;
        const active = await this.#unpaused(session, queues);
        // Slots: what is handed out (and held back by this reserve, up to a bound) plus what it asks.
        const slots = session.inbox.handedOut - Math.max(0, hold.skipped.length - PASS_OVER_LIMIT) + request.max;
        for (const queue of active) await session.inbox.subscribe(queue, await this.topology.ensureQueue(session, queue), slots);
        const taken = await this.#take(session, request, active, hold, request.max);
        if (session.closed) return Date.now() < deadline && !request.signal?.aborted ? undefined : [];
        const left = deadline - Date.now();
        if (taken.length > 0 || left <= 0 || request.signal?.aborted) return taken;
        if (session.inbox.arrivals !== seen) continue; // arrived while this pass was busy
        // A pause is looked at again now and then: another process's resume does not wake this one.
        const recheck = active.length < queues.length ? PAUSE_RECHECK_MS : left;
        await wakeup.wait(Math.max(1, Math.min(left, recheck, this.nextOpening - Date.now())), request.signal);
      }
    } finally {
      session.inbox.reserving(-1);
      await this.putBack(session, [...hold.skipped, ...hold.limited]);
    }
  }

  /**
   * A reserve that does not wait: what is buffered, then `basic.get` for the rest, since what
   * `basic.consume` would push is not here yet. Costs a round trip per message (tests, polling).
   */
  async #instant(session: Session, request: ReserveRequest, queues: readonly string[]): Promise<Delivery[]> {
    const hold: Hold = { skipped: [], limited: [] };
    try {
      const taken = await this.#take(session, request, queues, hold, request.max);
      for (const queue of queues) {
        const work = await this.topology.ensureQueue(session, queue);
        for (let empty = false; !empty && taken.length < request.max && hold.skipped.length + hold.limited.length < PASS_OVER_LIMIT && !request.signal?.aborted;) {
          for (let n = taken.length; n < request.max; n++) {
            const message = await session.consumer.get(work, { noAck: false });
            if ((empty = message === false)) break;
            session.inbox.add(message, queue);
          }
          taken.push(...(await this.#take(session, request, queues, hold, request.max - taken.length)));
        }
      }
      return session.closed ? [] : taken;
    } finally {
      await this.putBack(session, [...hold.skipped, ...hold.limited]);
    }
  }

  /**
   * The queues of `queues` that are not paused. A paused queue this session consumes is cancelled
   * and what it pushed is put back: once a pause resolves, no reserve returns its messages.
   */
  async #unpaused(session: Session, queues: readonly string[]): Promise<readonly string[]> {
    const paused = await this.state.paused();
    if (paused.size === 0) return queues;
    for (const queue of queues.filter((q) => paused.has(q))) {
      await session.inbox.unsubscribe(this.topology.workQueue(queue));
      const buffer = session.inbox.buffer;
      const pushed = buffer.filter((a) => a.queue === queue);
      for (const a of pushed) buffer.splice(buffer.indexOf(a), 1);
      await this.putBack(session, pushed);
    }
    return queues.filter((q) => !paused.has(q));
  }

  /** The buffered message of `taskId`, removed and settled, if this process holds it. */
  takeBuffered(session: Session, taskId: string, keeps: (task: TaskMessage) => boolean): TaskMessage | null {
    const buffer = session.inbox.buffer;
    for (let i = 0; i < buffer.length; i++) {
      const arrival = buffer[i] as Arrival;
      const task = this.#decode(arrival);
      if (task?.id !== taskId) continue;
      if (keeps(task)) return task;
      buffer.splice(i, 1);
      session.ack(arrival.message.fields.deliveryTag);
      return task;
    }
    return null;
  }

  /** One pass over the buffer: up to `max` deliveries; malformed messages dead-lettered, early ones delayed again. */
  async #take(session: Session, request: ReserveRequest, queues: readonly string[], hold: Hold, max: number): Promise<Delivery[]> {
    this.nextOpening = Number.POSITIVE_INFINITY;
    const candidates = hold.limited.splice(0, max);
    for (const arrival of pick(session.inbox.buffer, queues)) {
      if (candidates.length >= max) break;
      session.inbox.buffer.splice(session.inbox.buffer.indexOf(arrival), 1);
      const { message, queue } = arrival;
      let task: TaskMessage;
      try {
        task = this.#decodeOrThrow(arrival);
      } catch (error) {
        const reason = error instanceof MalformedMessageError ? error.reason : (error as Error).message;
        await this.deadLetters.add(session, queue, message, undefined, `malformed message (${this.options.codec.name}): ${reason}`);
        session.ack(message.fields.deliveryTag);
        continue;
      }
      if (task.eta !== undefined && task.eta > Date.now()) {
        // Due later than one pass through the delay cascade allows: once more round.
        await this.publisher.publish(session, [task], prior(message));
        session.ack(message.fields.deliveryTag);
      } else if (request.tasks.includes(task.task)) {
        candidates.push({ message, task });
      } else {
        hold.skipped.push({ message, task });
      }
    }
    if (candidates.length === 0) return [];
    return this.#admit(session, candidates, request, hold);
  }

  #decode(arrival: Arrival): TaskMessage | undefined {
    try {
      return this.#decodeOrThrow(arrival);
    } catch {
      return undefined;
    }
  }

  #decodeOrThrow({ message, queue }: Arrival): TaskMessage {
    const p = message.properties;
    return this.options.codec.decode({ body: message.content, queue, headers: headersOf(message), contentType: p.contentType as string | undefined, correlationId: p.correlationId as string | undefined, priority: p.priority as number | undefined });
  }

  /** Drops revoked messages, holds back those over a rate limit, and counts deliveries of the rest. */
  async #admit(session: Session, candidates: Candidate[], request: ReserveRequest, hold: Hold): Promise<Delivery[]> {
    const revoked = await Promise.all(candidates.map((c) => this.state.isRevoked(c.task.id)));
    const live = candidates.filter((c, i) => {
      if (revoked[i]) session.ack(c.message.fields.deliveryTag); // revoked: never delivered
      return !revoked[i];
    });
    const allowed = await this.#withinRateLimits(live, request, hold);
    const deliveries = await Promise.all(
      allowed.map(async ({ message, task }): Promise<Delivery | undefined> => {
        const count = await this.state.delivered(countKey(message, task), message.fields.redelivered);
        const refused = count === 1 && message.properties.appId !== APP_ID ? await this.#foreignRefusal(task) : undefined;
        if (refused !== undefined) {
          await this.deadLetters.add(session, task.queue, message, undefined, refused);
          session.ack(message.fields.deliveryTag);
          return undefined;
        }
        return { message: task, deliveries: prior(message) + count, receipt: receiptOf(this.brokerId, session, message.fields.deliveryTag) };
      }),
    );
    return deliveries.filter((d): d is Delivery => d !== undefined);
  }

  /**
   * A foreign producer's message (not published by this package), on its first delivery: its id
   * must follow the API's rule and not be in use, or it could replace a waiting task's arguments.
   * A check before the admission, not in one step with it: it guards against mistakes; RabbitMQ's
   * permissions guard against producers that lie.
   */
  async #foreignRefusal(task: TaskMessage): Promise<string | undefined> {
    const checked = checkInboxMessage(encodeTaskMessage(task));
    if ('reason' in checked) return checked.reason;
    return (await this.state.inUse(task.id)) ? idInUseReason(task.id) : undefined;
  }

  async #withinRateLimits(candidates: Candidate[], request: ReserveRequest, hold: Hold): Promise<Candidate[]> {
    const limits = request.rateLimits;
    if (limits === undefined) return candidates;
    const byTask = new Map<string, Candidate[]>();
    for (const c of candidates) if (limits[c.task.task] !== undefined) byTask.set(c.task.task, [...(byTask.get(c.task.task) ?? []), c]);
    const refused = new Set<Candidate>();
    for (const [task, group] of byTask) {
      const { granted, waitMs } = await this.state.takeStarts(task, limits[task] as NonNullable<typeof limits[string]>, group.length);
      for (const c of group.slice(granted)) refused.add(c);
      if (granted < group.length) this.nextOpening = Math.min(this.nextOpening, Date.now() + waitMs);
    }
    hold.limited.push(...refused);
    return candidates.filter((c) => !refused.has(c));
  }

  /** Back in place, for a reserve that serves them (or once the rate window opens). */
  async putBack(session: Session, passed: ReadonlyArray<{ readonly message: Message; readonly task?: TaskMessage }>): Promise<void> {
    if (passed.length === 0 || session.closed) return;
    await Promise.all(passed.map((c) => this.state.passedOver(countKey(c.message, c.task), c.message.fields.redelivered)));
    // In reverse, so each lands in front of the ones after it whatever RabbitMQ does with ties.
    for (const c of [...passed].reverse()) session.release(c.message.fields.deliveryTag);
  }
}

/** The buffered messages of `queues`, in the order a reserve takes them: queue, priority, arrival. */
function pick(buffer: readonly Arrival[], queues: readonly string[]): Arrival[] {
  const rank = (a: Arrival) => queues.indexOf(a.queue);
  return buffer
    .map((arrival, i) => ({ arrival, i, rank: rank(arrival), priority: (arrival.message.properties.priority as number | undefined) ?? 0 }))
    .filter((e) => e.rank >= 0)
    .sort((a, b) => a.rank - b.rank || b.priority - a.priority || a.i - b.i)
    .map((e) => e.arrival);
}

/** Deliveries made before a hand-back, which still count. */
function prior(message: Message): number {
  const value = headersOf(message)[PRIOR_HEADER];
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : 0;
}
