import { pathToFileURL } from 'node:url';
import type { Celeriac, Worker } from '@celeriac/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../src/main.js';
import { FIXTURES } from './cli.js';

// `tasks`, `retry` and `status` with the task view run in this process, through `main()`, on the
// in-memory store (which has the whole admin API), until the Redis store's task listing lands
// and tasks-redis.test.ts runs them as spawned processes.
const MODULE = pathToFileURL(`${FIXTURES}memory-app.mjs`).href;
let loads = 0;
const load = async (): Promise<Celeriac> => ((await import(`${MODULE}?load=${++loads}`)) as { app: Celeriac }).app;

/** Runs `celeriac <args> --app <a fresh import of the memory app>`; what it printed and its exit code. */
async function cli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  try {
    const code = await main(['node', 'celeriac', ...args, '--app', `${MODULE}?load=${++loads}`]);
    return { code, stdout, stderr: stderr.replace(/^celeriac: warning: the app uses the in-memory store.*\n/m, '') };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

describe('celeriac tasks, retry and status (task view) on the in-memory store', () => {
  let app: Celeriac;
  let worker: Worker;
  let failed: string;
  let succeeded: string;

  beforeAll(async () => {
    app = await load();
    worker = app.worker({ pollInterval: 20 });
    await worker.start();
    succeeded = (await app.send('add', [2, 3])).id;
    await app.result(succeeded).wait({ timeout: 5_000 });
    const flaky = await app.send('flaky', [1]);
    failed = flaky.id;
    await expect(flaky.wait({ timeout: 5_000 })).rejects.toThrow('try 1 of 1 fails');
  });
  afterAll(async () => {
    await worker.close();
  });

  it('status shows the task view: arguments, queue, worker and timeline', async () => {
    const ran = await cli(['status', succeeded]);
    expect(ran.code).toBe(0);
    expect(ran.stdout).toContain(`id       ${succeeded}\ntask     add\nstate    SUCCESS\nattempt  1\n`);
    expect(ran.stdout).toContain('queue    default\nargs     [2,3]\n');
    expect(ran.stdout).toContain(`worker   ${worker.id}\n`);
    expect(ran.stdout).toMatch(/^AT\s+SINCE SENT\s+STATE\s+ATTEMPT\s+WORKER$/m);
    expect(ran.stdout).toMatch(new RegExp(`^\\S+Z\\s+\\+\\d+ ms\\s+STARTED\\s+1\\s+${worker.id}$`, 'm'));
    const json = await cli(['status', succeeded, '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ id: succeeded, state: 'SUCCESS', args: [2, 3], queue: 'default', result: 5, timeline: [{ state: 'PENDING' }, { state: 'STARTED', worker: worker.id }, { state: 'SUCCESS' }] });
  });

  it('tasks counts by state, and lists one state newest first, by task name', async () => {
    const counts = await cli(['tasks', '--json']);
    expect(counts.code).toBe(0);
    expect(JSON.parse(counts.stdout)).toMatchObject({ SUCCESS: 1, FAILURE: 1, PENDING: 0 });
    const human = await cli(['tasks']);
    expect(human.stdout).toMatch(/^FAILURE\s+1$/m);
    const list = await cli(['tasks', '--state', 'failure']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`^ID\\s+TASK\\s+ATTEMPT\\s+UPDATED\\s+WORKER\\s+ERROR\\n${failed}\\s+flaky\\s+1\\s+\\d+ (ms|s) ago\\s+\\S+\\s+RangeError: try 1 of 1 fails\n$`));
    expect(JSON.parse((await cli(['tasks', '--state', 'SUCCESS', '--task', 'flaky', '--json'])).stdout)).toEqual({ tasks: [], next: null });
    expect((await cli(['tasks', '--state', 'SUCCESS', '--task', 'flaky'])).stdout).toBe('no SUCCESS tasks of flaky\n');
    const usage = await cli(['tasks', '--task', 'flaky']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toBe('celeriac: --task, --queue, --limit and --offset select a listing: add --state, e.g. celeriac tasks --state FAILURE --task send-email\n');
    expect((await cli(['tasks', '--queue', 'default'])).code).toBe(2);
    const badState = await cli(['tasks', '--state', 'not a state']);
    expect(badState.code).toBe(2);
  });

  it('tasks --queue lists only the tasks sent to that queue, and pages within it', async () => {
    const mails = [];
    for (const to of ['a', 'b', 'c']) mails.push((await app.send('add', [to, '@'], { queue: 'mail', countdown: 600_000 })).id);
    const elsewhere = (await app.send('add', [1, 1], { countdown: 600_000 })).id;
    const firstPage = await cli(['tasks', '--state', 'PENDING', '--queue', 'mail', '--limit', '2']);
    expect(firstPage.code).toBe(0);
    expect(firstPage.stdout).toContain('(more: celeriac tasks --state PENDING --queue mail --offset 2)');
    const lastPage = JSON.parse((await cli(['tasks', '--state', 'PENDING', '--queue', 'mail', '--limit', '2', '--offset', '2', '--json'])).stdout) as { tasks: { id: string }[]; next: number | null };
    expect(lastPage.next).toBeNull();
    const listed = [...mails.filter((id) => firstPage.stdout.includes(id)), ...lastPage.tasks.map((t) => t.id)];
    expect(listed.sort()).toEqual([...mails].sort());
    expect(firstPage.stdout).not.toContain(elsewhere);
    const other = JSON.parse((await cli(['tasks', '--state', 'PENDING', '--queue', 'default', '--json'])).stdout) as { tasks: { id: string }[] };
    expect(other.tasks.map((t) => t.id)).toEqual([elsewhere]);
    expect((await cli(['tasks', '--state', 'PENDING', '--queue', 'nowhere', '--task', 'add'])).stdout).toBe('no PENDING tasks of add in queue nowhere\n');
    const empty = await cli(['tasks', '--state', 'PENDING', '--queue', ' ']);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('Give a name');
    for (const id of [...mails, elsewhere]) await app.revoke(id);
  });

  it('retry runs a FAILURE task again; refuses one that is not FAILURE (2) and an unknown id (4)', async () => {
    const notFailed = await cli(['retry', succeeded]);
    expect(notFailed.code).toBe(2);
    expect(notFailed.stderr).toBe(`celeriac: task ${succeeded} is SUCCESS, not FAILURE: only a failed task can be retried (see celeriac status ${succeeded})\n`);
    const unknown = await cli(['retry', 'never-enqueued', '--json']);
    expect(unknown.code).toBe(4);
    expect(JSON.parse(unknown.stderr)).toMatchObject({ error: { reason: 'not_found', id: 'never-enqueued' } });
    expect((await cli(['retry'])).code).toBe(2);
    expect((await cli(['retry', failed, '--failed', 'flaky'])).code).toBe(2);

    const ran = await cli(['retry', failed]);
    expect(ran).toMatchObject({ code: 0, stdout: `retried flaky ${failed} (attempt 2; follow it with celeriac status ${failed})\n` });
    await expect(app.result(failed).wait({ timeout: 5_000 })).resolves.toBe('ok after 1');
    expect(await app.tasks.view(failed)).toMatchObject({ state: 'SUCCESS', attempt: 2 });
  });

  it('retry --failed retries every failure of a task name; an unknown name exits 4', async () => {
    const ids = [];
    for (let i = 0; i < 2; i++) {
      const r = await app.send('flaky', [99]);
      await expect(r.wait({ timeout: 5_000 })).rejects.toThrow('fails');
      ids.push(r.id);
    }
    const ran = await cli(['retry', '--failed', 'flaky', '--json']);
    expect(ran).toMatchObject({ code: 0, stdout: '{"task":"flaky","retried":2}\n' });
    for (const id of ids) await expect(app.result(id).wait({ timeout: 5_000 })).rejects.toThrow('fails'); // ran again (and failed again)
    for (const id of ids) expect(await app.tasks.view(id)).toMatchObject({ state: 'FAILURE', attempt: 2 });
    const unknown = await cli(['retry', '--failed', 'no-such-task']);
    expect(unknown.code).toBe(4);
    expect(unknown.stderr).toBe('celeriac: no task named no-such-task: the app registers add, flaky\n');
  });
});
