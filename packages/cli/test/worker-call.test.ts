import { redisForTests } from '@celeriac/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP, type Running, celeriac, startWorker } from './cli.js';

// A real worker started by `celeriac worker`, real Redis, and `celeriac call` / `status` as a user runs them.
describe('celeriac worker, call and status', () => {
  let redis: Awaited<ReturnType<typeof redisForTests>>;
  let env: NodeJS.ProcessEnv;
  let worker: Running | undefined;
  /** The id the worker printed when ready: every command names it so. */
  let readyId = '';
  const run = (args: readonly string[]) => celeriac([...args, '--app', APP], { env });

  beforeAll(async () => {
    redis = await redisForTests();
    env = { REDIS_URL: redis.url, CELERIAC_PREFIX: `cli-call-${process.pid}` };
  });
  afterAll(async () => {
    await worker?.stop('SIGKILL');
    await redis?.stop();
  });

  it('call refuses a task no live worker serves (exit 8), and enqueues nothing', async () => {
    const ran = await run(['call', 'add', '[1, 2]', '--json']);
    expect(ran.code).toBe(8);
    expect(JSON.parse(ran.stderr)).toEqual({
      error: { reason: 'no_worker', task: 'add', message: expect.stringContaining('no live worker serves add, so nothing was enqueued: start one with celeriac worker') },
    });
    expect(ran.stdout).toBe('');
    // --no-worker-check enqueues it for a worker that starts later: it is PENDING.
    const later = await run(['call', 'add', '[1, 2]', '--no-worker-check']);
    expect(later.code).toBe(0);
    const id = later.stdout.trim();
    const status = await run(['status', id, '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject({ id, task: 'add', state: 'PENDING' });
  });

  it('worker starts, announces itself, and runs what call sends; --wait prints the result', async () => {
    const started = await startWorker(['--concurrency', '4', '--queues', 'default,slow'], { env });
    worker = started.worker;
    expect(started.ready).toMatchObject({ event: 'worker-ready', queues: ['default', 'slow'], concurrency: 4, pool: 'inline', tasks: ['add', 'count', 'fail', 'slow', 'doomed', 'tick'] });
    expect(started.ready.worker).toMatch(/^celeriac@\S+:\d+:[0-9a-f]{4}$/);
    readyId = started.ready.worker as string;

    const human = await run(['call', 'add', '[2, 3]', '--wait']);
    expect(human).toMatchObject({ code: 0, stdout: '5\n' });
    const json = await run(['call', 'add', '[20, 22]', '--wait', '--json', '--no-progress']);
    expect(json.code).toBe(0);
    expect(json.stderr).toBe('');
    const out = JSON.parse(json.stdout) as { id: string; task: string; state: string; result: unknown };
    expect(out).toMatchObject({ task: 'add', state: 'SUCCESS', result: 42 });

    const status = await run(['status', out.id]);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`id       ${out.id}`);
    expect(status.stdout).toContain('state    SUCCESS');
    expect(status.stdout).toContain('result   42');
  });

  it('call without --wait prints the id; status follows it', async () => {
    const ran = await run(['call', 'add', '[1, 1]']);
    expect(ran.code).toBe(0);
    const id = ran.stdout.trim();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    let state = '';
    for (let i = 0; i < 50 && state !== 'SUCCESS'; i++) {
      state = (JSON.parse((await run(['status', id, '--json'])).stdout) as { state: string }).state;
    }
    expect(state).toBe('SUCCESS');
  });

  it('call --wait reports progress on stderr while waiting (one line per report off a terminal)', async () => {
    const ran = await run(['call', 'count', '[4, 50]', '--wait']);
    expect(ran.code).toBe(0);
    expect(ran.stdout).toBe('4\n');
    const lines = ran.stderr.trim().split('\n');
    expect(lines).toEqual(expect.arrayContaining(['progress 1/4 (25%) step 1', 'progress 2/4 (50%) step 2', 'progress 3/4 (75%) step 3', 'progress 4/4 (100%) step 4']));
    expect(lines.indexOf('progress 1/4 (25%) step 1')).toBeLessThan(lines.indexOf('progress 4/4 (100%) step 4'));
  });

  it('a failed task exits 5 with its error; a wait past --timeout exits 7 and the task goes on', async () => {
    // --no-progress: off a terminal the progress display writes each state it sees (PENDING, STARTED) first, depending on timing.
    const failed = await run(['call', 'fail', '["no such user"]', '--wait', '--no-progress']);
    expect(failed.code).toBe(5);
    expect(failed.stderr).toMatch(/^celeriac: fail [0-9a-f-]+ failed: TypeError: no such user\nTypeError: no such user\n\s+at /);
    const json = await run(['call', 'fail', '["again"]', '--wait', '--json', '--no-progress']);
    expect(json.code).toBe(5);
    expect(JSON.parse(json.stderr)).toMatchObject({ error: { reason: 'task_failed', task: 'fail', error: { type: 'TypeError', message: 'again' } } });

    const timedOut = await run(['call', 'slow', '[1500]', '--timeout', '300ms', '--json', '--no-progress']);
    expect(timedOut.code).toBe(7);
    const error = (JSON.parse(timedOut.stderr) as { error: { reason: string; id: string; message: string } }).error;
    expect(error.reason).toBe('timeout');
    expect(error.message).toContain(`follow it with celeriac status ${error.id}`);
    const done = await run(['call', 'add', '[0, 0]', '--wait']); // the worker is still there
    expect(done.code).toBe(0);
    let state = '';
    for (let i = 0; i < 50 && state !== 'SUCCESS'; i++) state = (JSON.parse((await run(['status', error.id, '--json'])).stdout) as { state: string }).state;
    expect(state).toBe('SUCCESS');
  });

  it('bad input: malformed or non-array JSON arguments exit 2, an unknown task 4, an id never enqueued 4', async () => {
    const malformed = await run(['call', 'add', '[1, 2']);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain("celeriac: the arguments of add are not valid JSON (");
    expect(malformed.stderr).toContain("give a JSON array, e.g. celeriac call add '[2, 3]'");
    const notArray = await run(['call', 'add', '{"a": 1}']);
    expect(notArray.code).toBe(2);
    expect(notArray.stderr).toContain('must be a JSON array of its arguments');

    const unknown = await run(['call', 'subtract', '[1, 2]']);
    expect(unknown.code).toBe(4);
    expect(unknown.stderr).toContain('celeriac: no task named subtract: the app registers add, count, fail, slow, doomed, tick, and no live worker serves subtract');

    const never = await run(['status', 'never-enqueued-id']);
    expect(never.code).toBe(4);
    expect(never.stderr).toBe('celeriac: no task with id never-enqueued-id: it was never enqueued, or its record expired or was forgotten\n');
    const neverJson = await run(['status', 'never-enqueued-id', '--json']);
    expect(JSON.parse(neverJson.stderr)).toMatchObject({ error: { reason: 'not_found', id: 'never-enqueued-id' } });
  });

  it('inspect registered lists the tasks and the worker serving them', async () => {
    const ran = await run(['inspect', 'registered']);
    expect(ran.code).toBe(0);
    const addLine = ran.stdout.split('\n').find((l) => l.startsWith('add '));
    expect(addLine).toMatch(/^add\s+default\s+0\s+0\s+\(worker's\)\s+-\s+\S+$/);
    expect(addLine?.endsWith(` ${readyId}`)).toBe(true);
    expect(ran.stdout).toContain('SCHEDULE');
    const json = JSON.parse((await run(['inspect', 'registered', '--json'])).stdout) as { tasks: { name: string; servedBy: string | null }[] };
    expect(json.tasks.find((t) => t.name === 'slow')).toMatchObject({ name: 'slow', servedBy: readyId });
  });

  it('SIGTERM closes the worker gracefully: a running task finishes, the process exits 0', async () => {
    const running = worker as Running;
    const received = () => running.out.stderr.split('\n').filter((l) => /task slow\[\S+\] received/.test(l)).length;
    const before = received();
    const call = celeriac(['call', 'slow', '[800]', '--wait', '--json', '--no-progress', '--app', APP], { env });
    // Signalled once the task has started: the worker logs it at info (a fixed sleep raced a slow `call` start-up).
    for (let i = 0; i < 200 && received() === before; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(received()).toBe(before + 1);
    const stopped = await running.stop('SIGTERM');
    worker = undefined;
    expect(stopped.code).toBe(0);
    expect(stopped.stdout).toContain('"event":"worker-stopped"');
    const result = await call;
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ state: 'SUCCESS', result: 'slept 800 ms' });
  });
});
