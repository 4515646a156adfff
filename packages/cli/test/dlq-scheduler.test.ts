import { spawn } from 'node:child_process';
import { redisForTests } from '@celeriac/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP, BIN, type Running, celeriac, start, startWorker } from './cli.js';

describe('celeriac dlq, scheduler, pools and the progress bar', () => {
  let redis: Awaited<ReturnType<typeof redisForTests>>;
  let env: NodeJS.ProcessEnv;
  const live: Running[] = [];
  const run = (args: readonly string[]) => celeriac([...args, '--app', APP], { env });

  beforeAll(async () => {
    redis = await redisForTests();
    env = { REDIS_URL: redis.url, CELERIAC_PREFIX: `cli-dlq-${process.pid}` };
  });
  afterAll(async () => {
    await Promise.all(live.map((r) => r.stop('SIGKILL')));
    await redis?.stop();
  });

  it('dlq list, requeue and purge, with an unknown id exiting 4', async () => {
    const { worker, ready } = await startWorker(['--pool', 'threads', '--concurrency', '2'], { env });
    live.push(worker);
    expect(ready).toMatchObject({ pool: 'threads', concurrency: 2 });
    expect(await run(['dlq', 'list'])).toMatchObject({ code: 0, stdout: 'no dead letters\n' });

    const failed = await run(['call', 'doomed', '[]', '--wait', '--json', '--no-progress']);
    expect(failed.code).toBe(5);
    const id = (JSON.parse(failed.stderr) as { error: { id: string } }).error.id;

    const list = await run(['dlq', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout.split('\n')[0]).toMatch(/^ID\s+QUEUE\s+TASK\s+DEAD-LETTERED\s+REASON$/);
    expect(list.stdout).toMatch(new RegExp(`^${id}\\s+default\\s+doomed\\s+\\S+\\s+.*bound for the dead-letter queue`, 'm'));
    const json = JSON.parse((await run(['dlq', 'list', '--json'])).stdout) as { letters: { id: string }[]; next: number | null };
    expect(json).toMatchObject({ letters: [{ id }], next: null });

    const unknown = await run(['dlq', 'requeue', 'not-a-letter']);
    expect(unknown.code).toBe(4);
    expect(unknown.stderr).toBe('celeriac: no dead letter with id not-a-letter (see celeriac dlq list)\n');
    const both = await run(['dlq', 'requeue', id, '--all']);
    expect(both.code).toBe(2);

    // Requeued, it runs again (and fails again, back into the queue): attempt 2.
    expect(await run(['dlq', 'requeue', id])).toMatchObject({ code: 0, stdout: `requeued ${id}\n` });
    let record = { attempt: 0, state: '' };
    for (let i = 0; i < 50 && !(record.attempt === 2 && record.state === 'FAILURE'); i++) record = JSON.parse((await run(['status', id, '--json'])).stdout) as typeof record;
    expect(record).toMatchObject({ attempt: 2, state: 'FAILURE' });

    let purged = { purged: 0 };
    for (let i = 0; i < 50 && purged.purged === 0; i++) purged = JSON.parse((await run(['dlq', 'purge', '--json'])).stdout) as typeof purged;
    expect(purged).toEqual({ purged: 1 });
    expect(await run(['dlq', 'list', '--json'])).toMatchObject({ code: 0, stdout: '{"letters":[],"next":null}\n' });
  });

  it('a worker in the threads pool runs tasks loaded from the --app module', async () => {
    const ran = await run(['call', 'add', '[40, 2]', '--wait']);
    expect(ran).toMatchObject({ code: 0, stdout: '42\n' });
  });

  it('on a terminal, call --wait draws a live progress bar on stderr', async () => {
    // `script` gives the command a pseudo-terminal, as a user's shell would.
    const command = [process.execPath, BIN, 'call', 'count', "'[3, 100]'", '--wait', '--app', APP].join(' ');
    const output = await new Promise<{ code: number | null; text: string }>((resolve) => {
      const child = spawn('script', ['-qec', command, '/dev/null'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
      child.once('close', (code) => resolve({ code, text }));
    });
    expect(output.code).toBe(0);
    expect(output.text).toContain('\u2588'); // a filled cell of the bar
    expect(output.text).toMatch(/100% \| 3\/3 \| step 3/);
    expect(output.text).not.toContain('progress 1/3'); // the plain lines are for pipes only
  });

  it('scheduler enqueues the periodic task on time and exits 0 on SIGTERM', async () => {
    const scheduler = start(['scheduler', '--app', APP, '--json'], { env });
    live.push(scheduler);
    const ready = await scheduler.waitForLine((line) => line.event === 'scheduler-ready');
    expect(ready).toMatchObject({ schedules: [{ name: 'tick', task: 'tick', schedule: 'every 1000 ms' }] });
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const now = Math.floor(Date.now() / 1000) * 1000;
    const runs = await Promise.all([0, 1, 2].map((k) => run(['status', `sched:tick:${now - k * 1000}`, '--json'])));
    const found = runs.filter((r) => r.code === 0).map((r) => JSON.parse(r.stdout) as { task: string });
    expect(found.length).toBeGreaterThanOrEqual(2);
    expect(found[0]).toMatchObject({ task: 'tick' });
    const stopped = await scheduler.stop('SIGTERM');
    expect(stopped.code).toBe(0);
    expect(stopped.stdout).toContain('"event":"scheduler-stopped"');
  });

  it('worker exits 0 on SIGINT too', async () => {
    const worker = live[0] as Running;
    const stopped = await worker.stop('SIGINT');
    expect(stopped.code).toBe(0);
  });
});
