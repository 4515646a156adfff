import { createConnection } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { AbstractConnector, type Cluster, Redis, type RedisOptions } from 'ioredis';
import { slotOf } from './slot.js';

/** ioredis's message for a connection closed on purpose: the connect attempt ends quietly. */
const CONNECTION_CLOSED = 'Connection is closed.';
/** Longest pause between two looks for the slot's owner while the cluster has none (a failover). */
const MAX_LOOK_DELAY_MS = 2_000;

type NetStream = ReturnType<typeof createConnection>;

/**
 * The pub/sub connection of a store on a Redis Cluster: one plain connection to the master that
 * serves the deployment's slot, for sharded pub/sub (SSUBSCRIBE). All of a deployment's channels
 * share its `{prefix}` slot, so one connection hears them all, and sharded messages reach every node
 * of that slot's shard (master and replicas) whichever node published them.
 *
 * The address is looked up on every connect, from the cluster's slot table (refreshed first after
 * the first connect): when that master dies, ioredis reconnects and this finds the replica promoted
 * in its place; when the slot moves (Redis then unsubscribes the slot's channels, which ioredis
 * reports as 'moved'), the connection is dropped and made again to the new owner. Either way the
 * store's hub subscribes again on 'ready' and re-reads what it follows.
 */
export function clusterSubscriber(cluster: Cluster, channelKey: string, options: RedisOptions): Redis {
  const slot = slotOf(channelKey);
  const tls = cluster.options.redisOptions?.tls;
  class SlotOwnerConnector extends AbstractConnector {
    #connects = 0;

    constructor() {
      super(options.disconnectTimeout ?? 2_000);
    }

    async connect(): Promise<NetStream> {
      this.connecting = true;
      const refresh = this.#connects++ > 0;
      let address: { host: string; port: number } | undefined;
      for (let look = 0; address === undefined; look++) {
        if (!this.connecting) throw new Error(CONNECTION_CLOSED);
        address = await ownerOf(cluster, slot, refresh || look > 0);
        if (address === undefined) await new Promise((resolve) => setTimeout(resolve, Math.min(100 * 2 ** look, MAX_LOOK_DELAY_MS)));
      }
      if (!this.connecting) throw new Error(CONNECTION_CLOSED);
      const stream: NetStream = tls === undefined ? createConnection(address) : connectTls({ ...tls, ...address });
      stream.once('error', (error: Error) => {
        this.firstError = error;
      });
      this.stream = stream;
      return stream;
    }
  }
  // Messages come as flat arrays, whatever the cluster's options said (as on the command connection).
  const subscriber = new Redis({ ...options, replyMapping: 'legacy', Connector: SlotOwnerConnector });
  // The slot left the node this connection is on (Redis unsubscribes each of its channels, so this
  // comes once per channel): connect again, once, to its new owner.
  let moving = false;
  subscriber.on('moved', () => {
    if (moving || subscriber.status !== 'ready') return;
    moving = true;
    subscriber.disconnect(true);
  });
  subscriber.on('ready', () => {
    moving = false;
  });
  return subscriber;
}

/** The master serving `slot` as the cluster client knows it, after asking the cluster again if `refresh`. */
async function ownerOf(cluster: Cluster, slot: number, refresh: boolean): Promise<{ host: string; port: number } | undefined> {
  if (cluster.status !== 'ready') return undefined;
  if (refresh || cluster.slots[slot] === undefined) {
    await new Promise<void>((resolve) => cluster.refreshSlotsCache(() => resolve()));
  }
  const key = cluster.slots[slot]?.[0];
  if (key === undefined) return undefined;
  const cut = key.lastIndexOf(':');
  return { host: key.slice(0, cut), port: Number(key.slice(cut + 1)) };
}
