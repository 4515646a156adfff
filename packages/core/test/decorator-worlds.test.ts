import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

// Vitest transforms this repository with one decorator setting, so each decorator world is
// checked by compiling a fixture project with the real compiler and running its output in Node.
// The fixture loads the in-memory store from @celeriac/memory's build (`pnpm build` first).
const run = promisify(execFile);
const dir = fileURLToPath(new URL('./decorator-worlds/', import.meta.url));
const tsc = fileURLToPath(new URL('../../../node_modules/.bin/tsc', import.meta.url));

const compileAndRun = async (world: 'standard' | 'legacy') => {
  await run(tsc, ['-p', `${dir}tsconfig.${world}.json`]).catch((error: { stdout?: string }) => {
    throw new Error(`tsc (${world} decorators) failed:\n${error.stdout ?? String(error)}`);
  });
  const { stdout } = await run(process.execPath, [`${dir}out/${world}/test/decorator-worlds/fixture.js`]);
  return JSON.parse(stdout) as Record<string, unknown>;
};

describe.each(['standard', 'legacy'] as const)('@task() and @schedule() with %s decorators', (world) => {
  it('type-check, register under ClassName.method and run through a worker', async () => {
    const out = await compileAndRun(world);
    expect(out).toMatchObject({
      names: ['NightlyReports.nightly', 'Reports.daily', 'reports.rebuild'],
      schedules: ['reports.rebuild'],
      daily: { rows: 10, by: 'fixture' },
      rebuilt: 'rebuilt 3',
      nightly: 7,
      metadata: 1,
      withoutParentheses: expect.stringMatching(/write @task\(\) with parentheses/),
    });
    const where = world === 'legacy' ? 'Static.run' : 'run';
    expect(out.staticMethod).toBe(`INVALID_OPTION: @task() on ${where}: option "target" is a static method: decorate an instance method, or use app.task(options, fn) for plain functions`);
    expect(out.badOption).toMatch(/^INVALID_OPTION: @task\(\) on (Bad\.)?run: option "retries" must be a non-negative integer/);
  });
});
