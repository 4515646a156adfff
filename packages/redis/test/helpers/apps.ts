import { Celeriac, type CeleriacOptions, type CombinedStore, type Logger } from '@celeriac/core';
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

/** `redisApp` with one task, `echo` (returns its argument), and the combined store of its stores, for tests that call the fast paths directly. */
export function echoApp(options: RedisStoresOptions, task: string) {
  const opened = redisApp(options);
  const echo = opened.app.task({ name: task }, (x: number) => x);
  const combined = opened.stores.broker.combinedWith(opened.stores.backend) as Required<CombinedStore>;
  return { ...opened, echo, combined };
}

/** The stored records of these ids. */
export async function records(app: Celeriac, ids: readonly string[]) {
  return Promise.all(ids.map(async (id) => (await app.result(id).refresh()).record));
}
