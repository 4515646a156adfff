import { storeOptions } from './store.js';
import { createServer } from './server.js';

// API process. Without REDIS_URL it also runs the worker (the in-memory store is per process);
// with REDIS_URL, run `pnpm worker` beside it, as many as you like.
const redisUrl = process.env.REDIS_URL;
const store = storeOptions(redisUrl);
const app = await createServer({ celeriac: store.options, worker: redisUrl === undefined });
await app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1');
console.log(`listening on ${await app.getUrl()}: POST /thumbnails {"url":"…","widths":[64,128]}, GET /thumbnails/:id, GET /celeriac/status/:id`);
// On a signal: Nest's shutdown hooks let running tasks finish, then the store we made is closed.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void app.close().then(store.close).then(() => process.exit(0)));
}
