import { type Delivery, type ReserveRequest, type TaskMessage, checkInboxMessage, encodeTaskMessage, idInUseReason } from '@celeriac/core/adapter';
import type { GetMessage } from 'amqplib';
import type { ResolvedAmqpOptions } from '../options.js';
import { type DeadLetters, headersOf } from './dead-letters.js';
import { APP_ID, PRIOR_HEADER, type Publisher, countKey } from './publisher.js';
import type { Session } from './session.js';
import type { SharedState } from './shared-state.js';
import type { Topology } from './topology.js';

/**
 * Messages a reserve passes over (tasks it does not serve, over their rate limit) are held while it
 * looks further, then put back in place: at most this many per queue and call.
 */
const PASS_OVER_LIMIT = 100;

interface Candidate {
  readonly message: GetMessage;
  readonly task: TaskMessage;
}

/** The receipt of a delivery: the broker, the session (its lease) and the delivery tag. */
export function receiptOf(brokerId: string, session: Session, tag: number): string {
  return `${brokerId}:${session.generation}:${tag}`;
}

/**
 * Takes messages with basic.get, one at a time, so the process never holds more unacked messages
 * than the worker asked for (its free slots), plus those it is passing over for a moment. RabbitMQ
 * serves a priority queue highest priority first, then in order, which is the contract's order.
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

  /** One pass over the request's queues, without waiting. */
  async take(session: Session, request: ReserveRequest): Promise<Delivery[]> {
    this.nextOpening = Number.POSITIVE_INFINITY;
    const taken: Delivery[] = [];
    for (const queue of request.queues) {
      if (taken.length >= request.max || request.signal?.aborted) break;
      const work = await this.topology.ensureQueue(session, queue);
      const passed: Candidate[] = [];
      try {
        while (taken.length < request.max && passed.length < PASS_OVER_LIMIT) {
          const batch = await this.#collect(session, queue, work, request, request.max - taken.length, passed);
          if (batch.candidates.length > 0) taken.push(...(await this.#admit(session, batch.candidates, request, passed)));
          if (batch.empty) break;
        }
      } finally {
        await this.#putBack(session, passed);
      }
    }
    return taken;
  }

  /** Gets up to `wanted` messages of the request's tasks; malformed ones are dead-lettered, early ones delayed again. */
  async #collect(session: Session, queue: string, work: string, request: ReserveRequest, wanted: number, passed: Candidate[]) {
    const candidates: Candidate[] = [];
    while (candidates.length < wanted && passed.length < PASS_OVER_LIMIT) {
      const message = await session.consumer.get(work, { noAck: false });
      if (message === false) return { candidates, empty: true };
      session.held.set(message.fields.deliveryTag, { message, queue });
      let task: TaskMessage;
      try {
        task = this.options.codec.decode({ body: message.content, queue, headers: headersOf(message), contentType: message.properties.contentType as string | undefined, correlationId: message.properties.correlationId as string | undefined });
      } catch (error) {
        await this.deadLetters.add(session, queue, message, undefined, `malformed message (${this.options.codec.name}): ${(error as Error).message}`);
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
        passed.push({ message, task });
      }
    }
    return { candidates, empty: false };
  }

  /** Drops revoked messages, holds back those over a rate limit, and counts deliveries of the rest. */
  async #admit(session: Session, candidates: Candidate[], request: ReserveRequest, passed: Candidate[]): Promise<Delivery[]> {
    const revoked = await Promise.all(candidates.map((c) => this.state.isRevoked(c.task.id)));
    const live = candidates.filter((c, i) => {
      if (revoked[i]) session.ack(c.message.fields.deliveryTag); // revoked: never delivered
      return !revoked[i];
    });
    const allowed = await this.#withinRateLimits(live, request, passed);
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

  async #withinRateLimits(candidates: Candidate[], request: ReserveRequest, passed: Candidate[]): Promise<Candidate[]> {
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
    for (const c of refused) passed.push(c);
    return candidates.filter((c) => !refused.has(c));
  }

  /** Back in place, for a reserve that serves them (or once the rate window opens). */
  async #putBack(session: Session, passed: Candidate[]): Promise<void> {
    if (passed.length === 0 || session.closed) return;
    await Promise.all(passed.map((c) => this.state.passedOver(countKey(c.message, c.task), c.message.fields.redelivered)));
    // In reverse, so each lands in front of the ones after it whatever RabbitMQ does with ties.
    for (const c of [...passed].reverse()) session.release(c.message.fields.deliveryTag);
  }
}

/** Deliveries made before a hand-back, which still count. */
function prior(message: GetMessage): number {
  const value = headersOf(message)[PRIOR_HEADER];
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : 0;
}
