import { Celeriac, type CeleriacOptions, type Logger } from '@celeriac/core';
import { type RedisStoreOptions, createRedisStore } from '../../src/index.js';

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** A producer/waiter app on Redis (`appOptions`: the app's own, e.g. `generateId`); `close()` closes the app and its store. */
export function redisApp(options: RedisStoreOptions, appOptions: Pick<CeleriacOptions, 'generateId'> = {}) {
  const store = createRedisStore(options);
  const app = new Celeriac({ ...appOptions, store, logger: silentLogger });
  return {
    app,
    store,
    close: async () => {
      await app.close();
      await store.close();
    },
  };
}

/** `redisApp` with one task, `echo` (returns its argument), for tests that call the store's steps directly. */
export function echoApp(options: RedisStoreOptions, task: string) {
  const opened = redisApp(options);
  const echo = opened.app.task({ name: task }, (x: number) => x);
  return { ...opened, echo };
}

/** The stored records of these ids. */
export async function records(app: Celeriac, ids: readonly string[]) {
  return Promise.all(ids.map(async (id) => (await app.result(id).refresh()).record));
}
