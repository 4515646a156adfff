import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';
import { storeOptions } from './store.js';

// Worker process: the same modules without an HTTP server. The worker starts on bootstrap; on
// SIGTERM, Nest's shutdown hooks let running tasks finish, then the store we made is closed.
const store = storeOptions(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const app = await NestFactory.createApplicationContext(AppModule.register({ celeriac: store.options, worker: true }));
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void app.close().then(store.close).then(() => process.exit(0)));
}
