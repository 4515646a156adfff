import type { Stores } from '@celeriac/core';
import { type RedisBackendOptions, BACKEND_OPTION_NAMES, resolveBackendOptions } from './backend-options.js';
import { type RedisBrokerOptions, BROKER_OPTION_NAMES, resolveBrokerOptions } from './broker-options.js';
import { RedisClients } from './internal/connection.js';
import { optionChecks } from './internal/check-options.js';
import { SHARED_CLIENTS } from './internal/shared-clients.js';
import { SubscriberHub } from './internal/subscriber-hub.js';
import { RedisBackend } from './redis-backend.js';
import { RedisBroker } from './redis-broker.js';

/** Options of both stores; shared ones (`connection`, `prefix`, `connectTimeout`, `maxBatch`) apply to both. */
export type RedisStoresOptions = RedisBrokerOptions & RedisBackendOptions;

/** A broker and a backend sharing their connections: one for commands and one for pub/sub per process. */
export interface RedisStores extends Stores {
  readonly broker: RedisBroker;
  readonly backend: RedisBackend;
}

const WHERE = 'createRedisStores()';

/**
 * The usual set-up: `new Celeriac({ ...createRedisStores({ connection: process.env.REDIS_URL }) })`.
 * Closing both stores closes the shared connections (a given ioredis instance is never closed).
 */
export function createRedisStores(options: RedisStoresOptions = {}): RedisStores {
  const check = optionChecks(WHERE);
  const o = check.object(options) as RedisStoresOptions;
  check.unknownKeys(o, [...new Set([...BROKER_OPTION_NAMES, ...BACKEND_OPTION_NAMES])]);
  const pick = (names: readonly string[]) => Object.fromEntries(Object.entries(o).filter(([k]) => names.includes(k)));
  const brokerOptions = pick(BROKER_OPTION_NAMES) as RedisBrokerOptions;
  const backendOptions = pick(BACKEND_OPTION_NAMES) as RedisBackendOptions;
  const resolved = resolveBrokerOptions(brokerOptions, WHERE);
  resolveBackendOptions(backendOptions, WHERE);
  const clients = new RedisClients(resolved.connection, resolved.connectTimeout);
  const shared = { clients, hub: new SubscriberHub(clients) };
  const broker = new RedisBroker({ ...brokerOptions, [SHARED_CLIENTS]: shared } as RedisBrokerOptions);
  // The broker retained the clients; the backend retains them too; drop the creation reference.
  const backend = new RedisBackend({ ...backendOptions, [SHARED_CLIENTS]: shared } as RedisBackendOptions);
  void clients.release();
  return { broker, backend };
}
