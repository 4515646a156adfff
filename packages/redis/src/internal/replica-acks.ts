import { type Cluster, Command, type Redis } from 'ioredis';
import { NotReplicatedError } from '../errors/not-replicated-error.js';
import { slotOf } from './slot.js';
import type { RedisDurableEnqueue } from '../store-options.js';
import { type RedisClient, isCluster } from './connection.js';

/** Where a write went: the connection it was sent on (see ReplicaAcks.mark). */
export interface WriteMark {
  readonly generation: number;
  readonly owner: string | undefined;
}

/** `WAIT` sent to the node serving the deployment's slot (on a Cluster; one server ignores the slot). */
class WaitCommand extends Command {
  readonly #slotKey: string;

  constructor(replicas: number, timeoutMs: number, slotKey: string) {
    super('wait', [replicas, timeoutMs], { replyEncoding: 'utf8' });
    this.#slotKey = slotKey;
  }

  override getSlot(): number {
    return slotOf(this.#slotKey);
  }
}

/**
 * Acknowledged writes on replicas, for the `durable` option: after a write's reply, `WAIT
 * <replicas> <timeout>` on the same connection, which answers once that many replicas have every
 * write the connection made so far. Redis replicates asynchronously: without this, an enqueue the
 * master acknowledged is lost if the master dies before a replica copied it.
 *
 * `WAIT` counts the writes of its own connection, so the write and the `WAIT` must share one:
 * `mark()` before sending the write names the connection (the command connection's reconnects
 * counted; on a cluster, the slot's master and the nodes dropped), and a `WAIT` on another one is
 * no confirmation. The `WAIT` holds the connection until it answers: the store's other calls of
 * this process queue behind it, for about a replica's round trip, or `timeout` if replicas are down.
 */
export class ReplicaAcks {
  readonly #redis: RedisClient;
  readonly #durable: Readonly<RedisDurableEnqueue>;
  readonly #slotKey: string;
  readonly #slot: number;
  #generation = 0;
  readonly #stop: () => void;

  constructor(redis: RedisClient, durable: Readonly<RedisDurableEnqueue>, slotKey: string) {
    this.#redis = redis;
    this.#durable = durable;
    this.#slotKey = slotKey;
    this.#slot = slotOf(slotKey);
    // A new connection: a reconnect of one server's, or on a cluster the slot's master's dropped.
    const reconnected = () => {
      this.#generation++;
    };
    const nodeDropped = (node: Redis) => {
      if (`${node.options.host}:${node.options.port}` === this.#owner()) this.#generation++;
    };
    if (isCluster(redis)) {
      redis.on('-node', nodeDropped);
      this.#stop = () => redis.off('-node', nodeDropped);
    } else {
      redis.on('close', reconnected);
      this.#stop = () => redis.off('close', reconnected);
    }
  }

  mark(): WriteMark {
    return { generation: this.#generation, owner: this.#owner() };
  }

  /** Resolves once the replicas hold what was written since `mark` on this connection; rejects with NotReplicatedError if they do not in time. */
  async confirm(mark: WriteMark): Promise<void> {
    const { replicas, timeout } = this.#durable;
    if (!this.#same(mark)) throw new NotReplicatedError(replicas, 0, timeout, 'the connection to the master changed before its replicas were asked');
    const wait = new WaitCommand(replicas, timeout, this.#slotKey);
    void this.#redis.sendCommand(wait);
    const acknowledged = Number(await wait.promise);
    if (!this.#same(mark)) throw new NotReplicatedError(replicas, 0, timeout, 'the connection to the master changed while its replicas were asked');
    if (acknowledged < replicas) throw new NotReplicatedError(replicas, acknowledged, timeout);
  }

  close(): void {
    this.#stop();
  }

  #same(mark: WriteMark): boolean {
    return mark.generation === this.#generation && mark.owner === this.#owner();
  }

  /** On a cluster, the master serving the slot as the client knows it. */
  #owner(): string | undefined {
    return isCluster(this.#redis) ? (this.#redis as Cluster).slots[this.#slot]?.[0] : undefined;
  }
}
