import { redisForTests } from '@celeriac/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP, type Running, celeriac, startWorker } from './cli.js';

// `tasks`, `retry` and `status` with the task view as a user runs them on Redis, with a real
// worker started by `celeriac worker` (tasks-memory.test.ts runs the same commands in-process on
// the memory store).
describe('celeriac tasks, retry and status on Redis', () => {
  let redis: Awaited<ReturnType<typeof redisForTests>>;
  let env: NodeJS.ProcessEnv;
  let worker: Running | undefined;
  let workerId = '';
  const run = (args: readonly string[]) => celeriac([...args, '--app', APP], { env });
  const call = async (task: string, args: string): Promise<{ id: string; code: number | null }> => {
    const ran = await run(['call', task, args, '--wait', '--json', '--no-progress']);
    const out = JSON.parse(ran.code === 0 ? ran.stdout : ran.stderr) as { id?: string; error?: { id: string } };
    return { id: out.id ?? (out.error as { id: string }).id, code: ran.code };
  };

  beforeAll(async () => {
    redis = await redisForTests();
    env = { REDIS_URL: redis.url, CELERIAC_PREFIX: `cli-tasks-${process.pid}` };
    const started = await startWorker([], { env });
    worker = started.worker;
    workerId = started.ready.worker as string;
  });
  afterAll(async () => {
    await worker?.stop('SIGKILL');
    await redis?.stop();
  });

  it('status shows the task view: arguments, queue, the worker and the timeline', async () => {
    const { id } = await call('add', '[2, 3]');
    const ran = await run(['status', id]);
    expect(ran.code).toBe(0);
    expect(ran.stdout).toContain('queue    default\nargs     [2,3]\n');
    expect(ran.stdout).toContain(`worker   ${workerId}\n`);
    expect(ran.stdout).toMatch(new RegExp(`^\\S+Z\\s+\\+\\d+ ms\\s+STARTED\\s+1\\s+${workerId}$`, 'm'));
    const json = JSON.parse((await run(['status', id, '--json'])).stdout) as unknown;
    expect(json).toMatchObject({ id, state: 'SUCCESS', result: 5, args: [2, 3], queue: 'default', timeline: [{ state: 'PENDING' }, { state: 'STARTED', worker: workerId }, { state: 'SUCCESS' }] });
  });

  it('tasks counts by state and lists FAILURE tasks of a name, newest first', async () => {
    const first = await call('fail', '["one"]');
    const second = await call('fail', '["two"]');
    expect([first.code, second.code]).toEqual([5, 5]);
    const counts = JSON.parse((await run(['tasks', '--json'])).stdout) as Record<string, number>;
    expect(counts.FAILURE).toBeGreaterThanOrEqual(2);
    const list = await run(['tasks', '--state', 'FAILURE', '--task', 'fail', '--limit', '1']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`^${second.id}\\s+fail\\s+1\\s+.*TypeError: two$`, 'm'));
    expect(list.stdout).not.toContain(first.id);
    expect(list.stdout).toContain('(more: celeriac tasks --state FAILURE --task fail --offset 1)');
    const inQueue = await run(['tasks', '--state', 'FAILURE', '--task', 'fail', '--queue', 'default', '--limit', '1', '--offset', '1']);
    expect(inQueue.stdout).toMatch(new RegExp(`^${first.id}\\s+fail\\s+1\\s+.*TypeError: one$`, 'm'));
    expect((await run(['tasks', '--state', 'FAILURE', '--queue', 'nowhere'])).stdout).toBe('no FAILURE tasks in queue nowhere\n');
  });

  it('retry runs a failed task again; a task not in FAILURE exits 2, an id never enqueued 4', async () => {
    const ok = await call('add', '[1, 1]');
    const notFailed = await run(['retry', ok.id]);
    expect(notFailed.code).toBe(2);
    expect(notFailed.stderr).toBe(`celeriac: task ${ok.id} is SUCCESS, not FAILURE: only a failed task can be retried (see celeriac status ${ok.id})\n`);
    const never = await run(['retry', 'never-enqueued-id']);
    expect(never.code).toBe(4);
    expect(never.stderr).toBe('celeriac: no task with id never-enqueued-id: it was never enqueued, or its record expired or was forgotten\n');

    const failed = await call('fail', '["again"]');
    const ran = await run(['retry', failed.id, '--json']);
    expect(ran).toMatchObject({ code: 0, stdout: `{"id":"${failed.id}","task":"fail","retried":1,"attempt":2}\n` });
    let record = { state: '', attempt: 0 };
    for (let i = 0; i < 50 && record.attempt !== 2; i++) record = JSON.parse((await run(['status', failed.id, '--json'])).stdout) as typeof record;
    expect(record).toMatchObject({ state: 'FAILURE', attempt: 2 }); // it ran again (and failed again)
  });

  it('retry --failed retries every failure of a name', async () => {
    await call('fail', '["a"]');
    const ran = await run(['retry', '--failed', 'fail', '--json']);
    expect(ran.code).toBe(0);
    expect((JSON.parse(ran.stdout) as { retried: number }).retried).toBeGreaterThanOrEqual(1);
    const unknown = await run(['retry', '--failed', 'no-such-task']);
    expect(unknown.code).toBe(4);
  });

  // Runs today: status falls back to the record where the store has no task view yet.
  it('status of a task works before the Redis task view lands, and an id never enqueued exits 4', async () => {
    const { id } = await call('add', '[4, 5]');
    const ran = await run(['status', id]);
    expect(ran.code).toBe(0);
    expect(ran.stdout).toContain('state    SUCCESS');
    expect(ran.stdout).toContain('result   9');
    const never = await run(['status', 'never-enqueued-id', '--json']);
    expect(never.code).toBe(4);
    expect(JSON.parse(never.stderr)).toMatchObject({ error: { reason: 'not_found', id: 'never-enqueued-id' } });
  });
});
