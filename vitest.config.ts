import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (path: string) => fileURLToPath(new URL(`./packages/${path}`, import.meta.url));

export default defineConfig({
  // Vite's Oxc reads decorator settings from this tsconfig; it must include the test files, and
  // emit decorator metadata for NestJS's constructor injection in packages/nestjs and the Nest app.
  tsconfig: './tsconfig.test.json',
  resolve: {
    // Tests run every package from source, so there is one copy of each module (one set of error
    // classes) and no stale dist. Child processes spawned by fault tests use the built dist.
    alias: [
      { find: /^@celeriac\/core\/testing$/, replacement: src('core/src/testing/index.ts') },
      { find: /^@celeriac\/core\/adapter$/, replacement: src('core/src/adapter.ts') },
      { find: /^@celeriac\/core$/, replacement: src('core/src/index.ts') },
      { find: /^@celeriac\/memory$/, replacement: src('memory/src/index.ts') },
      { find: /^@celeriac\/redis\/adapter$/, replacement: src('redis/src/adapter.ts') },
      { find: /^@celeriac\/redis$/, replacement: src('redis/src/index.ts') },
      { find: /^@celeriac\/amqp$/, replacement: src('amqp/src/index.ts') },
      { find: /^@celeriac\/celery$/, replacement: src('celery/src/index.ts') },
      { find: /^@celeriac\/celery\/protocol$/, replacement: src('celery/src/protocol/index.ts') },
      { find: /^@celeriac\/fastify$/, replacement: src('fastify/src/index.ts') },
      { find: /^@celeriac\/dashboard$/, replacement: src('dashboard/src/index.ts') },
      { find: /^@celeriac\/socket\.io$/, replacement: src('socket.io/src/index.ts') },
      { find: /^@celeriac\/socket\.io\/client$/, replacement: src('socket.io/src/client/index.ts') },
      { find: /^@celeriac\/nestjs$/, replacement: src('nestjs/src/index.ts') },
      { find: /^@celeriac\/prometheus$/, replacement: src('prometheus/src/index.ts') },
      { find: /^@celeriac\/opentelemetry$/, replacement: src('opentelemetry/src/index.ts') },
      { find: /^@celeriac\/test-support$/, replacement: src('test-support/src/index.ts') },
    ],
  },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'apps/*/test/**/*.test.ts'],
    typecheck: { enabled: true, include: ['packages/*/src/**/*.test-d.ts', 'packages/*/test/**/*.test-d.ts'], tsconfig: './tsconfig.test.json' },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
