import type { RevokeListener, TaskMessage } from '@celeriac/core/adapter';
import type { Channel, Message } from 'amqplib';
import type { ResolvedAmqpOptions } from '../options.js';
import { headersOf } from './dead-letters.js';
import { countKey } from './publisher.js';
import type { Session } from './session.js';
import type { SharedState } from './shared-state.js';
import { DELAY_LEVELS, type Topology } from './topology.js';

/**
 * Revocations: the id is marked in the shared state (checked by every reserve), announced on the
 * fanout exchange `<prefix>.revoke` (each process listening binds an exclusive queue to it, bound
 * again after a reconnect), and the waiting message is looked for so that its workflow can be
 * ended. RabbitMQ cannot take one message out of a queue: `find` reads the queues this process
 * knows (and their delay levels) through a channel of its own, acknowledges the revoked message and
 * closes the channel, which puts the others back in order.
 */
export class Revocations {
  readonly #listeners = new Set<RevokeListener>();
  #bound: Session | undefined;

  constructor(
    private readonly options: ResolvedAmqpOptions,
    private readonly topology: Topology,
    private readonly state: SharedState,
  ) {}

  get listening(): boolean {
    return this.#listeners.size > 0;
  }

  async announce(session: Session, taskId: string): Promise<void> {
    await this.topology.ensureBase(session);
    await session.publish(this.topology.revokeExchange, '', Buffer.from(taskId), { persistent: false });
  }

  async listen(session: Session, listener: RevokeListener): Promise<() => void> {
    this.#listeners.add(listener);
    await this.bind(session);
    return () => this.#listeners.delete(listener);
  }

  /** Binds this process's revocation queue on `session` (once per session, while anyone listens). */
  async bind(session: Session): Promise<void> {
    if (this.#bound === session || this.#listeners.size === 0) return;
    this.#bound = session;
    await this.topology.ensureBase(session);
    const channel = await session.model.createChannel();
    channel.on('error', () => undefined);
    const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true, durable: false });
    await channel.bindQueue(queue, this.topology.revokeExchange, '');
    await channel.consume(queue, (message) => {
      if (message === null) return;
      const id = message.content.toString('utf8');
      for (const listener of this.#listeners) listener(id);
    }, { noAck: true });
  }

  /** The waiting or delayed message of `taskId` in `queues`, removed unless `keeps` says to leave it; null if none was found. */
  async find(session: Session, queues: Iterable<string>, taskId: string, keeps: (task: TaskMessage) => boolean): Promise<TaskMessage | null> {
    const seen: Array<{ message: Message; task?: TaskMessage }> = [];
    return session.withChannel(async (channel) => {
      try {
        return await this.#findIn(session, channel, queues, taskId, seen, keeps);
      } finally {
        // Closing the channel puts them back as redelivered: they were only looked at.
        await Promise.all(seen.map((s) => this.state.passedOver(countKey(s.message, s.task), s.message.fields.redelivered)));
      }
    });
  }

  async #findIn(session: Session, channel: Channel, queues: Iterable<string>, taskId: string, seen: Array<{ message: Message; task?: TaskMessage }>, keeps: (task: TaskMessage) => boolean): Promise<TaskMessage | null> {
      for (const queue of queues) {
        const names = [await this.topology.ensureQueue(session, queue)];
        await this.topology.ensureDelays(session, queue);
        for (let level = DELAY_LEVELS - 1; level >= 0; level--) names.push(this.topology.delayQueue(queue, level));
        for (const name of names) {
          const found = await this.#scan(channel, name, queue, taskId, seen, keeps);
          if (found !== null) return found;
        }
      }
      return null;
  }

  async #scan(channel: Channel, name: string, queue: string, taskId: string, seen: Array<{ message: Message; task?: TaskMessage }>, keeps: (task: TaskMessage) => boolean): Promise<TaskMessage | null> {
    for (let i = 0; i < this.options.revokeScanLimit; i++) {
      const message: Message | false = await channel.get(name, { noAck: false });
      if (message === false) return null;
      let task: TaskMessage | undefined;
      try {
        task = this.options.codec.decode({ body: message.content, queue, headers: headersOf(message) });
      } catch {
        seen.push({ message });
        continue; // malformed: a reserve dead-letters it
      }
      if (task.id === taskId) {
        // A kept one goes back with those looked at (see find).
        if (keeps(task)) seen.push({ message, task });
        else channel.ack(message);
        return task;
      }
      seen.push({ message, task });
    }
    return null;
  }
}
