import type { RedisClients } from './connection.js';
import type { SubscriberHub } from './subscriber-hub.js';

/**
 * How `createRedisStores` hands one set of connections to both its broker and its backend without
 * widening their public options: a symbol-keyed property, invisible to option checks.
 */
export const SHARED_CLIENTS: unique symbol = Symbol('celeriac.redis.sharedClients');

export interface SharedClients {
  readonly clients: RedisClients;
  readonly hub: SubscriberHub;
}

export function sharedClientsOf(options: object): SharedClients | undefined {
  return (options as { [SHARED_CLIENTS]?: SharedClients })[SHARED_CLIENTS];
}
