import { redisForTests } from '@celeriac/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP, FIXTURES, celeriac } from './cli.js';

// Bad input as a user types it: each case's message and exit code (see EXIT_CODES).
describe('celeriac: bad input', () => {
  let redis: Awaited<ReturnType<typeof redisForTests>>;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    redis = await redisForTests();
    env = { REDIS_URL: redis.url, CELERIAC_PREFIX: `cli-usage-${process.pid}` };
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('no command prints the help and exits 2', async () => {
    const ran = await celeriac([]);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain('Usage: celeriac');
    expect(ran.stdout).toBe('');
  });

  it('an unknown command or option exits 2 and says so', async () => {
    const command = await celeriac(['wrker', '--app', APP], { env });
    expect(command.code).toBe(2);
    expect(command.stderr).toContain("unknown command 'wrker'");
    expect(command.stderr).toContain('(Did you mean worker?)');
    const option = await celeriac(['status', 'some-id', '--app', APP, '--colour'], { env });
    expect(option.code).toBe(2);
    expect(option.stderr).toContain("unknown option '--colour'");
  });

  it('a bad option value exits 2 naming the option, before anything loads', async () => {
    const ran = await celeriac(['worker', '--app', APP, '--concurrency', 'lots'], { env });
    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain("option '-c, --concurrency <n>' argument 'lots' is invalid. Give a positive whole number.");
    const pool = await celeriac(['worker', '--app', APP, '--pool', 'fork'], { env });
    expect(pool.code).toBe(2);
    expect(pool.stderr).toContain('Give one of: inline, threads, process.');
  });

  it('--version prints the package version and exits 0', async () => {
    const ran = await celeriac(['--version']);
    expect(ran.code).toBe(0);
    expect(ran.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('no --app and no config file exits 3 saying how to name the app', async () => {
    const ran = await celeriac(['status', 'x'], { env, cwd: FIXTURES });
    expect(ran.code).toBe(3);
    expect(ran.stderr).toBe('celeriac: no app to load: pass --app ./dist/app.js (the module exporting your Celeriac app), set CELERIAC_APP, or write a celeriac.config.js / celeriac.config.json naming it\n');
  });

  it('a missing app module exits 3 (and as JSON with --json)', async () => {
    const ran = await celeriac(['worker', '--app', './dist/missing.js'], { env, cwd: FIXTURES });
    expect(ran.code).toBe(3);
    expect(ran.stderr).toContain('cannot find the app module ./dist/missing.js');
    expect(ran.stderr).toContain('build your app first, or fix --app');
    const json = await celeriac(['status', 'x', '--app', './dist/missing.js', '--json'], { env, cwd: FIXTURES });
    expect(json.code).toBe(3);
    expect(JSON.parse(json.stderr)).toMatchObject({ error: { reason: 'app', message: expect.stringContaining('cannot find the app module') } });
    expect(json.stdout).toBe('');
  });

  it('a module with no app, or one that throws on import, exits 3 saying which', async () => {
    const none = await celeriac(['worker', '--app', `${FIXTURES}no-app.mjs`], { env });
    expect(none.code).toBe(3);
    expect(none.stderr).toContain('exports no Celeriac app: export it as `export default app` or `export const app` (it exports default, tasks)');
    const throws = await celeriac(['worker', '--app', `${FIXTURES}throws.mjs`], { env });
    expect(throws.code).toBe(3);
    expect(throws.stderr).toContain('failed to load: Error: DATABASE_URL is not set');
  });

  it('CELERIAC_APP names the app; a config file in the working directory too', async () => {
    const fromEnv = await celeriac(['inspect', 'registered', '--json'], { env: { ...env, CELERIAC_APP: APP } });
    expect(fromEnv.code).toBe(0);
    expect((JSON.parse(fromEnv.stdout) as { tasks: { name: string }[] }).tasks.map((t) => t.name)).toEqual(['add', 'count', 'doomed', 'fail', 'slow', 'tick']);
    const fromConfig = await celeriac(['inspect', 'registered', '--json'], { env, cwd: `${FIXTURES}config` });
    expect(fromConfig.code).toBe(0);
    expect(fromConfig.stdout).toContain('"name":"add"');
  });

  it('a config file with an unknown key exits 3 naming the key', async () => {
    const ran = await celeriac(['worker', '--config', `${FIXTURES}config/bad.config.json`], { env });
    expect(ran.code).toBe(3);
    expect(ran.stderr).toContain('bad.config.json: option "workers" is not a known option (known: app, worker, scheduler)');
  });
});
