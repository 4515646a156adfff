import type { ResolvedRedisStoreOptions } from '../store-options.js';
import { BrokerScripts } from './broker-scripts.js';
import { RedisClients } from './connection.js';
import { ParkedReserves } from './hand-off.js';
import { type BackendKeys, type BrokerKeys, backendKeys, brokerKeys } from './keys.js';
import { LeaseKeeper } from './lease-keeper.js';
import { ReplicaAcks } from './replica-acks.js';
import { SubscriberHub } from './subscriber-hub.js';
import { WakePulse, WakeSignal } from './wake-signal.js';

/**
 * What one Redis store is built from, made once by `RedisStore` and handed to each of its parts
 * (the message queue, the task records and the steps that span both), so they share one command
 * connection, one pub/sub connection and one set of leases by construction.
 */
export interface StoreParts {
  readonly options: Readonly<ResolvedRedisStoreOptions>;
  readonly clients: RedisClients;
  readonly hub: SubscriberHub;
  readonly keys: BrokerKeys;
  readonly recordKeys: BackendKeys;
  readonly scripts: BrokerScripts;
  /** The leases this process holds, heartbeated together; also the tasks it runs (LocalRuns). */
  readonly leases: LeaseKeeper;
  readonly wake: WakeSignal;
  /** This process's reserves asleep for lack of work, to hand new messages to. */
  readonly parked: ParkedReserves;
  /** With the `durable` option: confirms enqueues on replicas. */
  readonly replicaAcks: ReplicaAcks | undefined;
  /** Which partition of a partitioned store this is (undefined: the whole store), for the inbox check. */
  readonly partition: PartitionPlace | undefined;
}

/** A partition's place among its store's partitions: only ids of this index belong in it. */
export interface PartitionPlace {
  readonly index: number;
  readonly count: number;
}

/**
 * What the partitions of one partitioned store share (see partitioned-store.ts): the command
 * connection, the pub/sub connection unless it must be one per slot (a cluster's, see
 * cluster-subscriber.ts), and one wake pulse, so that a wake-up of any partition wakes the
 * composite's reserves.
 */
export interface SharedParts {
  readonly clients: RedisClients;
  readonly hub: SubscriberHub | undefined;
  readonly pulse: WakePulse;
}

export function storeParts(options: Readonly<ResolvedRedisStoreOptions>, shared?: SharedParts, partition?: PartitionPlace): StoreParts {
  const keys = brokerKeys(options.prefix);
  // Any key of the deployment names its slot: on a cluster, where its pub/sub connection goes.
  const clients = shared === undefined ? new RedisClients(options.connection, options.connectTimeout, keys.seq) : partitionClients(shared.clients, options, keys.seq);
  const hub = shared?.hub ?? new SubscriberHub(clients);
  const recordKeys = backendKeys(options.prefix);
  const scripts = new BrokerScripts(clients.command, keys, recordKeys, options);
  return {
    options,
    clients,
    hub,
    keys,
    recordKeys,
    scripts,
    leases: new LeaseKeeper((members) => scripts.extendLeases(options.visibilityTimeout, members), options.heartbeatInterval),
    wake: new WakeSignal(hub, keys, shared?.pulse),
    parked: new ParkedReserves(),
    replicaAcks: options.durable === undefined ? undefined : new ReplicaAcks(clients.command, options.durable, keys.seq),
    partition,
  };
}

/** A partition's connections: the shared ones (one more user), or on a cluster the shared command connection with a pub/sub connection to this slot's shard. */
function partitionClients(shared: RedisClients, options: Readonly<ResolvedRedisStoreOptions>, slotKey: string): RedisClients {
  return shared.sharded ? new RedisClients(shared.command, options.connectTimeout, slotKey) : shared.retain();
}
