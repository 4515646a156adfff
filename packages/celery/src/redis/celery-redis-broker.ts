import { randomBytes } from 'node:crypto';
import { type Broker, type ConnectionListener, type DeadLetter, type Delivery, type QueueInfo, type ReserveRequest, type RevokeListener, type TaskMessage, Wakeup } from '@celeriac/core/adapter';
import { MalformedMessageError, TASK_ID_PATTERN } from '@celeriac/core';
import { celeryCall, decodeCeleryTask, encodeCeleryTask, withCeleryCall } from '../protocol/message.js';
import { Connections } from './connection.js';
import { CeleryKeys } from './keys.js';
import { fromEnvelope, kombuPriority, queueList, queueLists, toEnvelope, withHeaders } from './kombu.js';
import { type CeleryRedisOptions, type ResolvedCeleryRedisOptions, resolveOptions } from './options.js';
import { Scripts } from './scripts.js';
import { watchConnection } from '@celeriac/redis/adapter';
import { CeleryQueueAdmin } from './queue-admin.js';

/** How far from the oldest end of each list a reserve looks for a task it serves. */
const SCAN_DEPTH = 100;
/** Messages restored per reserve at most (kombu's restore is unbounded; this keeps a step short). */
const RESTORE_LIMIT = 100;
/** An ETA this close is delivered rather than parked. */
const PARK_MIN_MS = 5;

/**
 * A Celeriac `Broker` on kombu's Redis transport layout, so Celery and Celeriac workers and
 * producers share queues: messages are Celery protocol 2 in kombu's envelope on the queue's lists
 * (one per priority step), and a delivery is held the way a Celery worker with `acks_late` holds
 * it: in `unacked` / `unacked_index`, restored by whichever side sees it quiet for the visibility
 * timeout. Celeriac adds what kombu has no place for under its own `celeriac.*` keys: lease tokens
 * (fencing), delivery counts, revoked ids, rate-limit windows, dead letters, parked ETA messages,
 * the queues known and paused (see CeleryQueueAdmin: Celery workers do not honour a pause).
 */
export class CeleryRedisBroker implements Broker {
  readonly #options: ResolvedCeleryRedisOptions;
  readonly #conn: Connections;
  readonly #keys: CeleryKeys;
  readonly #scripts: Scripts;
  readonly #wakeup = new Wakeup();
  /** tag -> token of the deliveries this process holds, renewed by the heartbeat. */
  readonly #held = new Map<string, string>();
  readonly #queues: Set<string>;
  readonly #revokeListeners = new Set<RevokeListener>();
  readonly #admin: CeleryQueueAdmin;
  #subscribed: Promise<void> | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: CeleryRedisOptions) {
    this.#options = resolveOptions('new CeleryRedisBroker()', options);
    this.#conn = new Connections(this.#options.connection);
    this.#keys = new CeleryKeys(this.#options.keyPrefix);
    this.#scripts = new Scripts(this.#conn.command);
    this.#queues = new Set(this.#options.queues);
    this.#admin = new CeleryQueueAdmin(this.#conn.command, this.#keys, this.#scripts, this.#options, (raw) => this.#decode(raw));
  }

  async publish(messages: readonly TaskMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const pipeline = this.#conn.command.pipeline();
    for (const message of messages) {
      this.#queues.add(message.queue);
      const pri = kombuPriority(message.priority);
      pipeline.lpush(this.#keys.list(queueList(message.queue, pri, this.#options.prioritySteps)), toEnvelope(encodeCeleryTask(message), message.queue, pri));
    }
    const fresh = this.#admin.unregistered(messages.map((m) => m.queue));
    if (fresh.length > 0) pipeline.sadd(this.#keys.queues, ...fresh);
    await execOrThrow(pipeline.exec());
    this.#wakeup.wakeAll();
  }

  async reserve(request: ReserveRequest): Promise<Delivery[]> {
    const deadline = Date.now() + request.waitMs;
    for (;;) {
      const taken = await this.#reserveOnce(request);
      if (taken.length > 0 || request.signal?.aborted === true || this.#closed) return taken;
      const left = deadline - Date.now();
      if (left <= 0) return [];
      await this.#wakeup.wait(Math.min(left, this.#options.pollInterval), request.signal);
    }
  }

  async #reserveOnce(request: ReserveRequest): Promise<Delivery[]> {
    if (request.max <= 0 || request.queues.length === 0) return [];
    for (const queue of request.queues) this.#queues.add(queue);
    const k = this.#keys;
    const fresh = this.#admin.unregistered(request.queues);
    if (fresh.length > 0) await this.#conn.command.sadd(k.queues, ...fresh);
    const lists: string[] = [];
    const names: string[] = [];
    // kombu's serving order: each priority step across the queues, then the next step.
    for (let step = 0; step < this.#options.prioritySteps.length; step++) {
      for (const queue of request.queues) {
        lists.push(k.list(queueLists(queue, this.#options.prioritySteps)[step] as string));
        names.push(queue);
      }
    }
    const limits = Object.entries(request.rateLimits ?? {});
    const now = Date.now();
    const token = randomBytes(8).toString('hex');
    const argv = [now / 1000, now, request.max, SCAN_DEPTH, token, this.#options.visibilityTimeout / 1000, RESTORE_LIMIT, k.prefix, this.#options.deadLetterLimit, k.ratePrefix];
    argv.push(request.tasks.length, ...request.tasks, limits.length, ...limits.flatMap(([task, l]) => [task, l.limit, l.intervalMs]), ...names);
    const keys = [k.unacked, k.unackedIndex, k.leases, k.deliveries, k.revoked, k.parked, k.deadLetters, k.paused, ...lists];
    const taken = (await this.#scripts.run('reserve', keys, argv)) as [string, string, number][];
    const deliveries: Delivery[] = [];
    for (const [tag, raw, count] of taken) {
      const receipt = `${token}|${tag}`;
      this.#hold(tag, token);
      let message: TaskMessage;
      try {
        message = this.#decode(raw);
      } catch (error) {
        const reason = error instanceof MalformedMessageError ? error.reason : (error as Error).message;
        await this.#settle(receipt, 'dead', this.#letter(raw, reason));
        continue;
      }
      if (message.eta !== undefined && message.eta - Date.now() > PARK_MIN_MS) {
        // Held in Redis, not here: restored to its list when due, by us or by a Celery worker.
        await this.#settle(receipt, 'park', String(message.eta / 1000 - this.#options.visibilityTimeout / 1000), message.queue);
        continue;
      }
      deliveries.push({ message, deliveries: Number(count), receipt });
    }
    return deliveries;
  }

  #decode(raw: string): TaskMessage {
    const envelope = fromEnvelope(raw);
    const message = decodeCeleryTask(envelope.headers, envelope.body, {
      queue: queueOf(raw),
      priority: kombuPriority(envelope.kombuPriority),
      contentType: envelope.contentType,
      parameters: this.#options.parameters,
      // Counted by CeleryRedisBackend, its pair (celeryRedisStore).
      chords: true,
    });
    // A foreign (Python) message follows the API's own id rule, so no producer can use an id no caller could.
    if (envelope.headers.x_celeriac === undefined && !TASK_ID_PATTERN.test(message.id)) throw new MalformedMessageError(`field "id" must match ${String(TASK_ID_PATTERN)}, got ${JSON.stringify(message.id)}`);
    return message;
  }

  async holds(delivery: Delivery): Promise<boolean> {
    const [token, tag] = splitReceipt(delivery.receipt);
    const [lease, score] = await Promise.all([this.#conn.command.hget(this.#keys.leases, tag), this.#conn.command.zscore(this.#keys.unackedIndex, tag)]);
    return lease === token && score !== null;
  }

  async ack(delivery: Delivery): Promise<void> {
    await this.#settle(delivery.receipt, 'ack');
  }

  async requeue(delivery: Delivery, next: TaskMessage): Promise<void> {
    const pri = kombuPriority(next.priority);
    const list = this.#keys.list(queueList(next.queue, pri, this.#options.prioritySteps));
    // A retry goes on as it came: its Celery call and chord (a spread copy of the message drops them).
    const retried = withCeleryCall({ ...next }, celeryCall(delivery.message));
    await this.#settle(delivery.receipt, 'requeue', toEnvelope(encodeCeleryTask(retried), next.queue, pri), undefined, list);
    this.#wakeup.wakeAll();
  }

  async deadLetter(delivery: Delivery, reason: string): Promise<void> {
    const raw = toEnvelope(encodeCeleryTask(delivery.message), delivery.message.queue, kombuPriority(delivery.message.priority));
    await this.#settle(delivery.receipt, 'dead', this.#letter(raw, reason, delivery.message));
  }

  #letter(raw: string, reason: string, message?: TaskMessage): string {
    const headers = (JSON.parse(raw) as { headers?: { id?: unknown } }).headers;
    const id = message?.id ?? (typeof headers?.id === 'string' ? headers.id : 'unknown');
    const letter: DeadLetter = { id, queue: message?.queue ?? queueOf(raw), raw, reason, deadAt: Date.now() };
    return JSON.stringify(letter);
  }

  async #settle(receipt: string, mode: 'ack' | 'requeue' | 'dead' | 'park', arg = '', arg2 = String(this.#options.deadLetterLimit), target = this.#keys.deadLetters): Promise<boolean> {
    const [token, tag] = splitReceipt(receipt);
    this.#held.delete(tag);
    const k = this.#keys;
    const settled = await this.#scripts.run('settle', [k.unacked, k.unackedIndex, k.leases, k.deliveries, k.parked, target], [tag, token, mode, arg, arg2]);
    return settled === 1;
  }

  revoke(taskId: string, keepWorkflow = false): Promise<TaskMessage | null> {
    return this.#admin.revoke(this.#queues, taskId, keepWorkflow);
  }

  async isRevoked(taskId: string): Promise<boolean> {
    return (await this.#conn.command.zscore(this.#keys.revoked, taskId)) !== null;
  }

  async onRevoke(listener: RevokeListener): Promise<() => void> {
    this.#revokeListeners.add(listener);
    this.#subscribed ??= this.#subscribe();
    await this.#subscribed;
    return () => this.#revokeListeners.delete(listener);
  }

  async #subscribe(): Promise<void> {
    const subscriber = this.#conn.subscriber();
    subscriber.on('message', (channel: string, id: string) => {
      if (channel === this.#keys.revokeChannel) for (const listener of this.#revokeListeners) listener(id);
    });
    await subscriber.subscribe(this.#keys.revokeChannel);
  }

  async deadLetters(limit = 100, offset = 0): Promise<DeadLetter[]> {
    const raws = await this.#conn.command.lrange(this.#keys.deadLetters, offset, offset + limit - 1);
    return raws.map((raw) => JSON.parse(raw) as DeadLetter);
  }

  async retryDeadLetter(id: string, attempt?: number): Promise<boolean> {
    for (const stored of await this.#conn.command.lrange(this.#keys.deadLetters, 0, -1)) {
      const letter = JSON.parse(stored) as DeadLetter;
      if (letter.id !== id) continue;
      let raw = letter.raw;
      let list = this.#keys.list(letter.queue);
      try {
        const pri = fromEnvelope(raw).kombuPriority;
        list = this.#keys.list(queueList(letter.queue, pri, this.#options.prioritySteps));
        raw = withHeaders(raw, attempt === undefined ? {} : { retries: attempt - 1 });
      } catch {
        // unreadable: put back as it was, to be dead-lettered again with its reason
      }
      const swapped = await this.#scripts.run('swapDeadLetter', [this.#keys.deadLetters, list], [stored, raw]);
      this.#wakeup.wakeAll();
      return swapped === 1;
    }
    return false;
  }

  async purgeDeadLetters(ids?: readonly string[]): Promise<number> {
    let removed = 0;
    for (const stored of await this.#conn.command.lrange(this.#keys.deadLetters, 0, -1)) {
      if (ids !== undefined && !ids.includes((JSON.parse(stored) as DeadLetter).id)) continue;
      removed += await this.#conn.command.lrem(this.#keys.deadLetters, 1, stored);
    }
    return removed;
  }

  async size(queue: string): Promise<number> {
    const lists = queueLists(queue, this.#options.prioritySteps).map((l) => this.#keys.list(l));
    return Number(await this.#scripts.run('countQueue', [this.#keys.unacked, this.#keys.parked, ...lists], [queue]));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#heartbeat);
    this.#wakeup.wakeAll();
    await this.#conn.close();
  }

  onConnectionChange(listener: ConnectionListener): () => void {
    return watchConnection(this.#conn.command, listener);
  }

  queues(): Promise<QueueInfo[]> {
    return this.#admin.queues();
  }

  async pauseQueue(queue: string, paused: boolean): Promise<void> {
    await this.#admin.pause(queue, paused);
    if (!paused) this.#wakeup.wakeAll();
  }

  purgeQueue(queue: string, max: number): Promise<TaskMessage[]> {
    return this.#admin.purge(queue, max);
  }

  #hold(tag: string, token: string): void {
    this.#held.set(tag, token);
    this.#heartbeat ??= setInterval(() => void this.#renew(), this.#options.heartbeatInterval);
    this.#heartbeat.unref();
  }

  async #renew(): Promise<void> {
    if (this.#held.size === 0) return;
    const pairs = [...this.#held].flat();
    await this.#scripts.run('extendLeases', [this.#keys.leases, this.#keys.unackedIndex], [Date.now() / 1000, ...pairs]).catch(() => undefined);
  }
}

function splitReceipt(receipt: string): [token: string, tag: string] {
  const bar = receipt.indexOf('|');
  return [receipt.slice(0, bar), receipt.slice(bar + 1)];
}

function queueOf(raw: string): string {
  try {
    const info = (JSON.parse(raw) as { properties?: { delivery_info?: { routing_key?: unknown } } }).properties?.delivery_info;
    return typeof info?.routing_key === 'string' && info.routing_key !== '' ? info.routing_key : 'celery';
  } catch {
    return 'celery';
  }
}

async function execOrThrow(result: Promise<[Error | null, unknown][] | null>): Promise<void> {
  for (const [error] of (await result) ?? []) if (error !== null) throw error;
}
