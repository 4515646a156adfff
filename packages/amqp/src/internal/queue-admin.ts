import type { QueueInfo, TaskMessage } from '@celeriac/core/adapter';
import type { Channel, Message } from 'amqplib';
import type { ResolvedAmqpOptions } from '../options.js';
import { headersOf } from './dead-letters.js';
import { countKey } from './publisher.js';
import type { Session } from './session.js';
import type { SharedState } from './shared-state.js';
import { DELAY_LEVELS, type Topology } from './topology.js';

/**
 * Queues for the admin API. Counts come from `queue.declare` (passive): ready messages of the work
 * queue (plus those pushed to this process and not yet reserved) and of its delay levels. AMQP
 * does not report unacked messages, so `running` counts this process's deliveries only (RabbitMQ's
 * management API has the whole figure). Pauses and the list of queue names live in the shared state.
 */
export class QueueAdmin {
  constructor(
    private readonly options: ResolvedAmqpOptions,
    private readonly topology: Topology,
    private readonly state: SharedState,
  ) {}

  async queues(session: Session): Promise<QueueInfo[]> {
    const [names, paused] = await Promise.all([this.state.queueNames(), this.state.paused()]);
    const infos: QueueInfo[] = [];
    for (const name of names) infos.push(await this.#info(session, name, paused.has(name)));
    return infos;
  }

  /** Removes up to `max` waiting and delayed messages of `queue` (this process's unreserved ones first). */
  async purge(session: Session, queue: string, max: number): Promise<TaskMessage[]> {
    const removed: TaskMessage[] = [];
    const buffer = session.inbox.buffer;
    for (const arrival of buffer.filter((a) => a.queue === queue)) {
      if (removed.length >= max) return removed;
      const task = this.#decode(arrival.message, queue);
      if (task === undefined) continue;
      buffer.splice(buffer.indexOf(arrival), 1);
      session.ack(arrival.message.fields.deliveryTag);
      removed.push(task);
    }
    const names = await this.#names(session, queue);
    const seen: Array<{ message: Message; task?: TaskMessage }> = [];
    await session.withChannel(async (channel) => {
      for (const name of names) {
        while (removed.length < max) {
          const message = await channel.get(name, { noAck: false });
          if (message === false) break;
          const task = this.#decode(message, queue);
          if (task === undefined) seen.push({ message }); // malformed: a reserve dead-letters it
          else {
            channel.ack(message);
            removed.push(task);
          }
        }
      }
    });
    // Closing the channel put the others back as redelivered: they were only looked at.
    await Promise.all(seen.map((s) => this.state.passedOver(countKey(s.message, s.task), s.message.fields.redelivered)));
    return removed;
  }

  async #info(session: Session, name: string, paused: boolean): Promise<QueueInfo> {
    const [work, ...levels] = await this.#names(session, name);
    let waiting = (await session.publisher.checkQueue(work as string)).messageCount;
    let delayed = 0;
    for (const level of levels) delayed += (await session.publisher.checkQueue(level)).messageCount;
    const mine = [...session.held.values()].filter((h) => h.queue === name);
    const buffered = session.inbox.buffer.filter((a) => a.queue === name);
    waiting += buffered.length;
    const times = buffered.map((a) => this.#decode(a.message, name)?.createdAt).filter((t): t is number => t !== undefined);
    const head = waiting > buffered.length ? await this.#peek(session, work as string, name) : undefined;
    if (head !== undefined) times.push(head);
    return { name, waiting, delayed, running: mine.length - buffered.length, oldestWaitingAt: times.length === 0 ? null : Math.min(...times), paused };
  }

  /** The `createdAt` of the message at the head of a work queue, put back as it was. */
  async #peek(session: Session, work: string, queue: string): Promise<number | undefined> {
    let message: Message | false = false;
    await session.withChannel(async (channel: Channel) => {
      message = await channel.get(work, { noAck: false });
    });
    if (message === false) return undefined;
    const got: Message = message;
    const task = this.#decode(got, queue);
    await this.state.passedOver(countKey(got, task), got.fields.redelivered);
    return task?.createdAt;
  }

  /** The work queue of `queue`, then its delay levels (declared). */
  async #names(session: Session, queue: string): Promise<string[]> {
    const work = await this.topology.ensureQueue(session, queue);
    await this.topology.ensureDelays(session, queue);
    return [work, ...Array.from({ length: DELAY_LEVELS }, (_, level) => this.topology.delayQueue(queue, DELAY_LEVELS - 1 - level))];
  }

  #decode(message: Message, queue: string): TaskMessage | undefined {
    try {
      return this.options.codec.decode({ body: message.content, queue, headers: headersOf(message), contentType: message.properties.contentType as string | undefined });
    } catch {
      return undefined;
    }
  }
}
