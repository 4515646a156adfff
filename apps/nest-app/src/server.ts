import 'reflect-metadata';
import { Celeriac } from '@celeriac/core';
import { celeriacFastify } from '@celeriac/fastify';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule, type AppModuleOptions } from './app.module.js';

/** The HTTP application: Nest's routes plus Celeriac's status routes on the same Fastify instance. */
export async function createServer(options: AppModuleOptions): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.register(options), new FastifyAdapter(), { logger: ['error', 'warn'] });
  // Nest's Fastify adapter ships its own copy of fastify; the plugin's types are for the one
  // @celeriac/fastify was built against, hence the cast. At run time any fastify 5 works.
  await app.register(celeriacFastify as unknown as Parameters<NestFastifyApplication['register']>[0], {
    app: app.get(Celeriac),
    prefix: '/celeriac',
    tasks: [{ task: 'Thumbnails.make', args: { type: 'array', items: [{ type: 'string' }, { type: 'array', items: { type: 'integer', minimum: 1 } }], minItems: 2, maxItems: 2 } }],
  });
  return app;
}
