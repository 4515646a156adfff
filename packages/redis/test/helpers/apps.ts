import { Celeriac, type CeleriacOptions, type Logger } from '@celeriac/core';
import { type RedisStoresOptions, createRedisStores } from '../../src/index.js';

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** A producer/waiter app on Redis (`appOptions`: the app's own, e.g. `generateId`); `close()` closes the app and its stores. */
export function redisApp(options: RedisStoresOptions, appOptions: Pick<CeleriacOptions, 'generateId'> = {}) {
  const stores = createRedisStores(options);
  const app = new Celeriac({ ...appOptions, ...stores, logger: silentLogger });
  return {
    app,
    stores,
    close: async () => {
      await app.close();
      await Promise.all([stores.broker.close(), stores.backend.close()]);
    },
  };
}

/** The stored records of these ids. */
export async function records(app: Celeriac, ids: readonly string[]) {
  return Promise.all(ids.map(async (id) => (await app.result(id).refresh()).record));
}
