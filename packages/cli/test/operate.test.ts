import { spawn } from 'node:child_process';
import { redisForTests } from '@celeriac/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP, BIN, FIXTURES, type Running, celeriac, start, startWorker } from './cli.js';

// Operating a live deployment as a user does: real Redis, a real worker started by `celeriac
// worker`, and each command spawned as its own process.
describe('celeriac queues, pause, resume, purge, inspect and events', () => {
  let redis: Awaited<ReturnType<typeof redisForTests>>;
  let env: NodeJS.ProcessEnv;
  const live: Running[] = [];
  const CONFIG = `${FIXTURES}operate/celeriac.config.json`; // heartbeats every 300 ms
  const run = (args: readonly string[]) => celeriac([...args, '--app', APP], { env });
  const json = async <T>(args: readonly string[]): Promise<T> => {
    const ran = await run([...args, '--json']);
    expect(ran.code, ran.stderr).toBe(0);
    return JSON.parse(ran.stdout) as T;
  };
  const until = async (what: string, check: () => Promise<boolean>, ms = 10_000) => {
    const end = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  interface Queue { name: string; waiting: number; delayed: number; running: number; oldestWaitingAt: number | null; paused: boolean }
  const queue = async (name: string) => (await json<{ queues: Queue[] }>(['queues'])).queues.find((q) => q.name === name);
  const state = async (id: string) => (await json<{ state: string }>(['status', id])).state;

  beforeAll(async () => {
    redis = await redisForTests();
    env = { REDIS_URL: redis.url, CELERIAC_PREFIX: `cli-operate-${process.pid}` };
  });
  afterAll(async () => {
    await Promise.all(live.map((r) => r.stop('SIGKILL')));
    await redis?.stop();
  });

  it('with no worker: ping, active and stats exit 8 saying how to start one', async () => {
    const ping = await run(['inspect', 'ping', '--timeout', '300ms']);
    expect(ping.code).toBe(8);
    expect(ping.stderr).toBe('celeriac: no worker answered within 300 ms: start one with celeriac worker --app <your app> (on the same store as this command), or wait longer with --timeout\n');
    const active = await run(['inspect', 'active', '--json']);
    expect(active.code).toBe(8);
    expect(JSON.parse(active.stderr)).toMatchObject({ error: { reason: 'no_worker', message: expect.stringContaining('Start one with celeriac worker') } });
    expect(active.stdout).toBe('');
    expect((await run(['inspect', 'stats'])).code).toBe(8);
  });

  it('queues lists the app\'s queues, and unknown queues are refused with the known names (exit 4)', async () => {
    const ran = await run(['queues']);
    expect(ran.code).toBe(0);
    const lines = ran.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^QUEUE\s+WAITING\s+DELAYED\s+RUNNING\s+OLDEST WAITING\s+PAUSED$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual(['default', 'periodic', 'slow']);
    expect(lines[1]).toMatch(/^default\s+0\s+0\s+0\s+-\s+no$/);

    for (const command of ['pause', 'resume', 'purge']) {
      const unknown = await run([command, 'defualt', '--yes'].slice(0, command === 'purge' ? 3 : 2));
      expect(unknown.code, command).toBe(4);
      expect(unknown.stderr).toBe('celeriac: no queue named defualt: the known queues are default, periodic, slow (see celeriac queues)\n');
    }
    const asJson = await run(['purge', 'nope', '--yes', '--json']);
    expect(JSON.parse(asJson.stderr)).toEqual({ error: { reason: 'not_found', queue: 'nope', known: ['default', 'periodic', 'slow'], message: expect.any(String) } });
    expect((await run(['pause'])).code).toBe(2); // the queue is required
  });

  it('the worker shows its banner once (at info, with per-task lines) and ping is answered by it', async () => {
    const started = await startWorker(['--config', CONFIG, '--events', '--queues', 'default,slow'], { env });
    live.push(started.worker);
    const id = started.ready.worker as string;
    expect(id).toMatch(/^celeriac@\S+:\d+:[0-9a-f]{4}$/);
    expect(started.ready).toMatchObject({ event: 'worker-ready', events: true, queues: ['default', 'slow'] });
    await until('the banner', async () => started.worker.out.stderr.includes(' ready: '));
    const banners = started.worker.out.stderr.split('\n').filter((l) => l.includes(' ready: '));
    expect(banners).toEqual([expect.stringMatching(new RegExp(`^\\[celeriac\\] info worker ${id} ready: celeriac \\S+, store RedisStore, queues default, slow, concurrency 10 \\(inline pool\\), 6 tasks: `))]);

    const done = await run(['call', 'add', '[2, 2]', '--wait', '--json', '--no-progress']);
    const taskId = (JSON.parse(done.stdout) as { id: string }).id;
    await until('the per-task lines', async () => started.worker.out.stderr.includes(`task add[${taskId}] succeeded in `));
    expect(started.worker.out.stderr).toContain(`[celeriac] info task add[${taskId}] received`);

    const ping = await run(['inspect', 'ping', '--json']);
    expect(ping.code).toBe(0);
    expect(JSON.parse(ping.stdout)).toEqual({ replies: [{ worker: id, host: expect.any(String), pid: started.worker.child.pid, latencyMs: expect.any(Number) }] });
    const human = await run(['inspect', 'ping']);
    expect(human.stdout).toMatch(new RegExp(`^${id}: pong \\(\\d+ ms\\)\\n$`));

    // `inspect registered` names the worker by the same id as the heartbeats and ping.
    const registered = await json<{ tasks: { name: string; servedBy: string | null }[] }>(['inspect', 'registered']);
    expect(registered.tasks.find((t) => t.name === 'add')?.servedBy).toBe(id);
  });

  it('inspect active and stats show what the worker runs and has run', async () => {
    // Long enough to be still running when stats is read, on a loaded machine too.
    const slow = (await run(['call', 'slow', '[5000]'])).stdout.trim();
    interface Active { workers: { worker: string; running: { id: string; task: string; attempt: number }[] }[] }
    await until('the running task in a heartbeat', async () => (await json<Active>(['inspect', 'active'])).workers.some((w) => w.running.some((r) => r.id === slow)));
    const human = await run(['inspect', 'active']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(new RegExp(`^WORKER\\s+TASK\\s+ID\\s+ATTEMPT\\s+RUNNING FOR\\n\\S+\\s+slow\\s+${slow}\\s+1\\s+\\d+ (ms|s)\\n`));
    expect(human.stdout).toMatch(/: 1 of 10 slots busy$/m);

    const stats = await json<{ workers: { processed: number; failed: number; concurrency: number; pool: string; startedAt: number }[] }>(['inspect', 'stats']);
    expect(stats.workers).toEqual([expect.objectContaining({ processed: 1, failed: 0, concurrency: 10, pool: 'inline', startedAt: expect.any(Number) })]);
    const table = (await run(['inspect', 'stats'])).stdout.split('\n');
    expect(table[0]).toMatch(/^WORKER\s+PROCESSED\s+FAILED\s+BUSY\s+POOL\s+QUEUES\s+UPTIME\s+HEARTBEAT\s+EVENTS$/);
    expect(table[1]).toMatch(/^celeriac@\S+\s+1\s+0\s+1\/10\s+inline\s+default,slow\s+\d+ s\s+\d+ ms ago\s+on$/);
    await until('the slow task', async () => (await state(slow)) === 'SUCCESS');
  });

  it('pause holds a queue\'s tasks while another queue\'s run; resume lets them run', async () => {
    expect(await run(['pause', 'slow'])).toMatchObject({ code: 0, stdout: 'paused queue slow (0 waiting; resume it with celeriac resume slow)\n' });
    expect(await run(['pause', 'slow'])).toMatchObject({ code: 0, stdout: 'queue slow was already paused\n' });
    const held = (await run(['call', 'slow', '[10]'])).stdout.trim();
    const other = await run(['call', 'add', '[1, 2]', '--wait']);
    expect(other).toMatchObject({ code: 0, stdout: '3\n' });
    await new Promise((resolve) => setTimeout(resolve, 500)); // several polls of the worker
    expect(await state(held)).toBe('PENDING');
    expect(await queue('slow')).toMatchObject({ waiting: 1, paused: true, oldestWaitingAt: expect.any(Number) });
    const listed = (await run(['queues'])).stdout.split('\n').find((l) => l.startsWith('slow '));
    expect(listed).toMatch(/^slow\s+1\s+0\s+0\s+\d+ (ms|s)\s+yes$/);

    expect(await run(['resume', 'slow', '--json'])).toMatchObject({ code: 0, stdout: '{"queue":"slow","paused":false,"changed":true}\n' });
    await until('the held task to run', async () => (await state(held)) === 'SUCCESS');
    expect(await queue('slow')).toMatchObject({ waiting: 0, paused: false });
  });

  it('purge deletes a queue\'s waiting tasks (REVOKED); on a terminal it asks first', async () => {
    await run(['pause', 'slow']);
    const ids = await Promise.all([1, 2, 3].map(async () => (await run(['call', 'slow', '[10]'])).stdout.trim()));
    expect(await queue('slow')).toMatchObject({ waiting: 3 });

    // A person at a terminal who answers "n": nothing is deleted, and it exits 1.
    const declined = await onTerminal(['purge', 'slow'], 'n\n');
    expect(declined.text).toContain('Delete the 3 waiting and 0 delayed tasks of queue slow? This cannot be undone. [y/N]');
    expect(declined.text).toContain('purge of queue slow cancelled: nothing was deleted (pass --yes to skip this question)');
    expect(declined.code).toBe(1);
    expect(await queue('slow')).toMatchObject({ waiting: 3 });

    // A script (no terminal) is not asked.
    expect(await run(['purge', 'slow', '--json'])).toMatchObject({ code: 0, stdout: '{"queue":"slow","purged":3}\n' });
    expect(await queue('slow')).toMatchObject({ waiting: 0 });
    for (const id of ids) expect(await json<{ state: string; meta: unknown }>(['status', id])).toMatchObject({ state: 'REVOKED', meta: { reason: 'purged' } });
    expect(await run(['purge', 'slow', '-f'])).toMatchObject({ code: 0, stdout: 'purged 0 tasks from queue slow\n' });
    await run(['resume', 'slow']);
  });

  it('inspect scheduled shows the periodic task: next and last run, paused', async () => {
    const before = await json<{ schedules: { name: string; task: string; describe: string; nextRunAt: number | null; lastRunAt: number | null; paused: boolean }[] }>(['inspect', 'scheduled']);
    expect(before.schedules).toEqual([{ name: 'tick', task: 'tick', describe: 'every 1000 ms', nextRunAt: expect.any(Number), lastRunAt: null, paused: false }]);
    const scheduler = start(['scheduler', '--app', APP, '--json'], { env });
    live.push(scheduler);
    await scheduler.waitForLine((l) => l.event === 'scheduler-ready');
    await until('a run', async () => (await json<typeof before>(['inspect', 'scheduled'])).schedules[0]?.lastRunAt !== null);
    expect((await scheduler.stop('SIGTERM')).code).toBe(0);
    const human = (await run(['inspect', 'scheduled'])).stdout.split('\n');
    expect(human[0]).toMatch(/^SCHEDULE\s+TASK\s+RUNS\s+NEXT RUN\s+LAST RUN\s+PAUSED$/);
    expect(human[1]).toMatch(/^tick\s+tick\s+every 1000 ms\s+\S+Z \((in )?\d+ (ms|s)( ago)?\)\s+\S+Z \(\d+ (ms|s) ago\)\s+no$/);
  });

  it('events tails the stream: a task\'s lifecycle, stored (--since) and live, as lines or JSON lines', async () => {
    const done = JSON.parse((await run(['call', 'add', '[5, 6]', '--wait', '--json', '--no-progress'])).stdout) as { id: string };
    const tail = start(['events', '--since', '1m', '--json', '--app', APP], { env });
    live.push(tail);
    const types = async (id: string) => {
      await tail.waitForLine((l) => l.taskId === id && l.type === 'task-succeeded');
      return tail.out.stdout.split('\n').filter((l) => l.includes(id)).map((l) => (JSON.parse(l) as { type: string }).type);
    };
    expect(await types(done.id)).toEqual(['task-received', 'task-started', 'task-succeeded']);
    const succeeded = await tail.waitForLine((l) => l.taskId === done.id && l.type === 'task-succeeded');
    expect(succeeded).toMatchObject({ task: 'add', attempt: 1, worker: expect.stringMatching(/^celeriac@/), runtimeMs: expect.any(Number), at: expect.any(Number) });

    // Live: a task called after the tail started.
    const failed = JSON.parse((await run(['call', 'fail', '["boom"]', '--wait', '--json', '--no-progress'])).stderr) as { error: { id: string } };
    const line = await tail.waitForLine((l) => l.taskId === failed.error.id && l.type === 'task-failed');
    expect(line).toMatchObject({ task: 'fail', error: { type: 'TypeError', message: 'boom' } });
    expect(tail.out.stderr).toBe(''); // the stream is on: nothing to explain
    expect((await tail.stop('SIGINT')).code).toBe(0);

    // For people: one line per event.
    const human = start(['events', '--since', '1m', '--app', APP], { env });
    live.push(human);
    await until('the human lines', async () => human.out.stdout.includes(`fail[${failed.error.id}]`) && human.out.stdout.includes('task-failed'));
    expect(human.out.stdout).toMatch(new RegExp(`^\\S+Z  task-succeeded  add\\[${done.id}\\]  attempt 1  worker celeriac@\\S+  in \\d+ ms$`, 'm'));
    expect(human.out.stdout).toMatch(new RegExp(`^\\S+Z  task-failed  fail\\[${failed.error.id}\\]  attempt 1  worker \\S+  after \\d+ ms: TypeError: boom$`, 'm'));
    expect((await human.stop('SIGTERM')).code).toBe(0);
  });

  it('events explains a stream that is off, and how to turn it on', async () => {
    for (const w of live.splice(0)) await w.stop('SIGTERM');
    const quiet = await startWorker(['--config', CONFIG], { env });
    live.push(quiet.worker);
    expect(quiet.ready).toMatchObject({ events: false });
    const tail = start(['events', '--app', APP], { env });
    live.push(tail);
    await until('the explanation', async () => tail.out.stderr.includes('event stream is off'));
    expect(tail.out.stderr).toBe(
      `celeriac: the event stream is off: none of the 1 live worker (${quiet.ready.worker as string}) appends to it, so only producers with events on show here. Turn it on with celeriac worker --events (-E), or new Celeriac({ events: true }) in the app module for every worker and producer of the app, then restart the workers.\n`,
    );
    expect((await tail.stop('SIGINT')).code).toBe(0);
  });

  it('bad input: --since and --timeout values exit 2 naming the option', async () => {
    const since = await run(['events', '--since', 'yesterday-ish']);
    expect(since.code).toBe(2);
    expect(since.stderr).toContain("option '--since <when>' argument 'yesterday-ish' is invalid. Give a duration ago (30s, 5m, 1h) or a date and time (2025-01-31T10:00:00Z).");
    const timeout = await run(['inspect', 'ping', '--timeout', '0']);
    expect(timeout.code).toBe(2);
    expect(timeout.stderr).toBe('celeriac: ping --timeout must be more than 0\n');
  });

  /** Runs `celeriac <args>` on a pseudo-terminal (`script`), typing `input`: as a person at a shell. */
  function onTerminal(args: readonly string[], input: string): Promise<{ code: number | null; text: string }> {
    const command = [process.execPath, BIN, ...args, '--app', APP].join(' ');
    return new Promise((resolve) => {
      const child = spawn('script', ['-qec', command, '/dev/null'], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
      let text = '';
      child.stdout.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        if (text.includes('[y/N]') && input !== '') {
          child.stdin.write(input);
          input = '';
        }
      });
      child.once('close', (code) => resolve({ code, text }));
    });
  }
});
