import type { ResolvedRedisStoreOptions } from '../store-options.js';
import { BrokerScripts } from './broker-scripts.js';
import { RedisClients } from './connection.js';
import { ParkedReserves } from './hand-off.js';
import { type BackendKeys, type BrokerKeys, backendKeys, brokerKeys } from './keys.js';
import { LeaseKeeper } from './lease-keeper.js';
import { ReplicaAcks } from './replica-acks.js';
import { SubscriberHub } from './subscriber-hub.js';
import { WakeSignal } from './wake-signal.js';

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
}

export function storeParts(options: Readonly<ResolvedRedisStoreOptions>): StoreParts {
  const keys = brokerKeys(options.prefix);
  // Any key of the deployment names its slot: on a cluster, where its pub/sub connection goes.
  const clients = new RedisClients(options.connection, options.connectTimeout, keys.seq);
  const hub = new SubscriberHub(clients);
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
    wake: new WakeSignal(hub, keys),
    parked: new ParkedReserves(),
    replicaAcks: options.durable === undefined ? undefined : new ReplicaAcks(clients.command, options.durable, keys.seq),
  };
}
