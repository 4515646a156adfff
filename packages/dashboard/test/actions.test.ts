import type { AddressInfo } from 'node:net';
import type { QueueInfo, ScheduleInfo, TaskView } from '@celeriac/core';
import { describe, expect, it } from 'vitest';
import type { DeadLetterList, KnownTask, LiveMessage, Overview, TaskList, TaskLiveMessage } from '../src/index.js';
import { act, mountPerTest, readEvents, until } from './helpers.js';

const dashboards = mountPerTest();
const { cleanups } = dashboards;

/** A dashboard, and `get(url)` of its API expecting a 200. */
async function mount(...args: Parameters<typeof dashboards.mount>) {
  const mounted = await dashboards.mount(...args);
  const get = async <T>(url: string): Promise<T> => {
    const answer = await mounted.server.inject(`/dash/api/${url}`);
    expect([url, answer.statusCode]).toEqual([url, 200]);
    return answer.json<T>();
  };
  return { ...mounted, get };
}

describe('actions, through the admin API (memory store)', () => {
  it('pauses, resumes and purges a queue', async () => {
    const { server, app, tasks, get } = await mount();
    await app.worker({ queues: ['mail'], pollInterval: 20 }).start();
    expect((await act(server, '/dash/api/queues/default/pause')).statusCode).toBe(404); // nothing sent there yet
    await tasks.mail.delay('first');
    await until(async () => (await app.tasks.counts()).SUCCESS === 1);

    const paused = await act(server, '/dash/api/queues/mail/pause');
    expect(paused.json()).toEqual({ ok: true, message: 'Paused mail: workers take none of its tasks until it is resumed' });
    const held = await tasks.mail.delay('ada');
    await tasks.mail.delay('bob');
    expect((await get<QueueInfo[]>('queues')).find((q) => q.name === 'mail')).toMatchObject({ waiting: 2, paused: true });
    expect((await held.refresh()).state).toBe('PENDING');

    const purged = await act(server, '/dash/api/queues/mail/purge');
    expect(purged.json()).toEqual({ ok: true, message: 'Purged 2 waiting or delayed tasks from mail', count: 2 });
    expect((await held.refresh()).state).toBe('REVOKED');

    expect((await act(server, '/dash/api/queues/mail/resume')).json()).toMatchObject({ ok: true });
    const after = await tasks.mail.delay('cy');
    expect(await after.wait({ timeout: 10_000 })).toBe('sent to cy');
    expect((await get<QueueInfo[]>('queues')).find((q) => q.name === 'mail')).toMatchObject({ waiting: 0, paused: false });
  });

  it("lists a queue's tasks only, in pages counted within the queue; an unknown queue lists none", async () => {
    const { tasks, get } = await mount();
    const mails = [];
    for (const to of ['a', 'b', 'c']) mails.push((await tasks.mail.delay(to)).id);
    const added = (await tasks.add.delay(1, 2)).id;
    const first = await get<TaskList>('tasks?state=PENDING&queue=mail&limit=2');
    expect(first).toMatchObject({ state: 'PENDING', task: null, queue: 'mail', offset: 0, limit: 2, next: 2 });
    const second = await get<TaskList>('tasks?state=PENDING&queue=mail&limit=2&offset=2');
    expect(second).toMatchObject({ queue: 'mail', next: null });
    expect([...first.tasks, ...second.tasks].map((t) => t.id).sort()).toEqual(mails.sort());
    expect((await get<TaskList>('tasks?state=PENDING&queue=default')).tasks.map((t) => t.id)).toEqual([added]);
    expect((await get<TaskList>('tasks?state=PENDING&queue=default&task=mail.send')).tasks).toEqual([]);
    expect((await get<TaskList>('tasks?state=PENDING&queue=mail&task=mail.send')).tasks).toHaveLength(3);
    expect(await get<TaskList>('tasks?state=PENDING&queue=nowhere')).toMatchObject({ queue: 'nowhere', tasks: [], next: null });
    expect(await get<TaskList>('tasks?state=PENDING&queue=')).toMatchObject({ queue: null });
    expect((await get<TaskList>('tasks?state=PENDING')).tasks).toHaveLength(4);
  });

  it('shows a failed task with its stack, and a retry from the dashboard makes it succeed', async () => {
    const { server, app, tasks, get } = await mount();
    await app.worker({ pollInterval: 20 }).start();
    const run = await tasks.flaky.delay(21);
    await expect(run.wait({ timeout: 10_000 })).rejects.toThrow(/first attempt of 21 fails on purpose/);

    const failed = await get<TaskList>('tasks?state=FAILURE&task=demo.flaky');
    expect(failed).toMatchObject({ state: 'FAILURE', task: 'demo.flaky', offset: 0, limit: 25, next: null });
    expect(failed.tasks.map((t) => t.id)).toEqual([run.id]);
    expect((await get<TaskList>('tasks?state=FAILURE&queue=default')).tasks.map((t) => t.id)).toEqual([run.id]);
    expect(await get<TaskList>('tasks?state=FAILURE&queue=mail')).toMatchObject({ queue: 'mail', tasks: [], next: null });
    const view = await get<TaskView>(`tasks/${run.id}`);
    expect(view).toMatchObject({ id: run.id, task: 'demo.flaky', state: 'FAILURE', args: [21], queue: 'default', attempt: 1 });
    expect(view.error).toMatchObject({ type: 'TypeError', message: 'first attempt of 21 fails on purpose' });
    expect(view.error?.stack).toMatch(/TypeError: first attempt of 21 fails on purpose\n\s+at /);
    expect(view.timeline.map((e) => e.state)).toEqual(['PENDING', 'STARTED', 'FAILURE']);
    expect(view.timeline[1]?.worker).toMatch(/^celeriac@/);

    expect((await act(server, `/dash/api/tasks/${run.id}/retry`)).json()).toEqual({ ok: true, message: `Task ${run.id} will run again` });
    await until(async () => (await run.refresh()).state === 'SUCCESS', 10_000, 'the retried task to succeed');
    const again = await get<TaskView>(`tasks/${run.id}`);
    expect(again).toMatchObject({ state: 'SUCCESS', result: 42, attempt: 2 });
    expect(again.timeline.map((e) => [e.attempt, e.state])).toEqual([
      [1, 'PENDING'],
      [1, 'STARTED'],
      [1, 'FAILURE'],
      [2, 'PENDING'],
      [2, 'STARTED'],
      [2, 'SUCCESS'],
    ]);
  });

  it('revokes a waiting task', async () => {
    const { server, tasks } = await mount();
    const waiting = await tasks.add.delay(1, 2);
    expect((await act(server, `/dash/api/tasks/${waiting.id}/revoke`)).json()).toEqual({ ok: true, message: `Revoked task ${waiting.id}` });
    expect((await waiting.refresh()).state).toBe('REVOKED');
  });

  it('pauses and resumes a schedule', async () => {
    const { server, get } = await mount();
    expect((await get<ScheduleInfo[]>('schedules'))[0]).toMatchObject({ name: 'hourly-add', task: 'demo.add', describe: 'every 3600000 ms', paused: false, nextRunAt: expect.any(Number) });
    expect((await act(server, '/dash/api/schedules/hourly-add/pause')).json()).toEqual({ ok: true, message: 'Paused schedule hourly-add' });
    expect((await get<ScheduleInfo[]>('schedules'))[0]).toMatchObject({ paused: true, nextRunAt: null });
    expect((await act(server, '/dash/api/schedules/hourly-add/resume')).statusCode).toBe(200);
    expect((await get<ScheduleInfo[]>('schedules'))[0]).toMatchObject({ paused: false });
  });

  it('lists dead letters with reason and message; a requeued one runs, a purged one is gone', async () => {
    const { server, app, tasks, get } = await mount();
    await app.worker({ pollInterval: 20 }).start();
    const first = await tasks.letter.delay(1);
    const second = await tasks.letter.delay(2);
    await until(async () => (await app.deadLetters.list()).letters.length === 2, 10_000, 'two dead letters');

    const page = await get<DeadLetterList>('dead-letters?limit=1');
    expect(page).toMatchObject({ offset: 0, limit: 1, next: 1 });
    expect(page.letters[0]).toMatchObject({ id: first.id, queue: 'default', reason: expect.stringMatching(/first attempt of 1 goes to the dead letters/) });
    expect(JSON.parse(page.letters[0]?.raw ?? '{}')).toMatchObject({ id: first.id, task: 'demo.letter', args: [1] });

    expect((await act(server, `/dash/api/dead-letters/${first.id}/requeue`)).json()).toEqual({ ok: true, message: `Requeued ${first.id}: it runs again as a new attempt` });
    expect(await first.wait({ timeout: 10_000 })).toBe(2);
    expect((await act(server, `/dash/api/dead-letters/${second.id}/purge`)).json()).toEqual({ ok: true, message: `Deleted dead letter ${second.id}`, count: 1 });
    expect((await get<DeadLetterList>('dead-letters')).letters).toEqual([]);
    expect((await act(server, '/dash/api/dead-letters/purge')).json()).toEqual({ ok: true, message: 'Deleted 0 dead letters', count: 0 });
  });

  it('names the tasks the app registers, with their queues', async () => {
    const { get } = await mount();
    expect(await get<KnownTask[]>('task-names')).toEqual([
      { name: 'demo.add', queue: 'default' },
      { name: 'demo.flaky', queue: 'default' },
      { name: 'demo.letter', queue: 'default' },
      { name: 'demo.slow', queue: 'default' },
      { name: 'demo.tick', queue: 'default' },
      { name: 'mail.send', queue: 'mail' },
    ]);
  });
});

describe('live updates over Server-Sent Events', () => {
  async function listen(mounted: Awaited<ReturnType<typeof mount>>) {
    await mounted.server.listen({ port: 0, host: '127.0.0.1' });
    return `http://127.0.0.1:${(mounted.server.server.address() as AddressInfo).port}/dash/api`;
  }

  it('pushes the watched resources at once, then whenever they change, and the throughput of finished runs', async () => {
    const mounted = await mount();
    const base = await listen(mounted);
    const controller = new AbortController();
    cleanups.unshift(async () => controller.abort());
    const stream = await readEvents(`${base}/live?watch=overview&watch=${encodeURIComponent('tasks?state=SUCCESS&limit=5')}`, controller.signal);
    expect(stream.status).toBe(200);
    const messages = () => stream.events as LiveMessage[];
    const latest = <T>(key: string) => messages().findLast((m) => m.key === key)?.data as T | undefined;
    await until(() => latest<Overview>('overview') !== undefined && latest<TaskList>('tasks?state=SUCCESS&limit=5') !== undefined, 10_000, 'the first messages');
    expect(latest<Overview>('overview')).toMatchObject({ queues: [], workers: { online: 0, concurrency: 0, running: 0 } });

    await mounted.tasks.mail.delay('ada');
    await until(() => latest<Overview>('overview')?.queues[0]?.waiting === 1, 10_000, 'the waiting task to be pushed');
    // The list of successes does not change: it is not sent again, though the server reads it
    // every 100 ms. (The overview is, once per chart bucket: its time axis moves.)
    const listMessages = () => messages().filter((m) => m.key === 'tasks?state=SUCCESS&limit=5').length;
    expect(listMessages()).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(listMessages()).toBe(1);

    await mounted.app.worker({ pollInterval: 20, heartbeatInterval: 200 }).start();
    await until(() => latest<TaskList>('tasks?state=SUCCESS&limit=5')?.tasks.length === 1, 10_000, 'the finished task to be pushed');
    await until(() => (latest<Overview>('overview')?.throughput.succeeded ?? []).reduce((a, b) => a + b, 0) === 1, 10_000, 'the run to be counted');
    expect(latest<Overview>('overview')).toMatchObject({ queues: [{ name: 'mail', waiting: 0 }], workers: { online: 1, concurrency: 10 } });
  });

  it('pushes a running task\'s progress as it is reported, then its final view', async () => {
    const mounted = await mount();
    const base = await listen(mounted);
    const run = await mounted.tasks.slow.delay(5, 50);
    const controller = new AbortController();
    cleanups.unshift(async () => controller.abort());
    const stream = await readEvents(`${base}/tasks/${run.id}/live`, controller.signal);
    const messages = () => stream.events as TaskLiveMessage[];
    await until(() => messages().length > 0, 10_000, 'the first view');
    expect(messages()[0]).toMatchObject({ type: 'view', view: { id: run.id, state: 'PENDING', args: [5, 50] } });

    await mounted.app.worker({ pollInterval: 20 }).start();
    const finalView = () => messages().find((m): m is Extract<TaskLiveMessage, { type: 'view' }> => m.type === 'view' && m.view.state === 'SUCCESS');
    await until(() => finalView() !== undefined, 10_000, 'the final view');
    // Each report as it was stored, in order (the stream follows the record from when the page
    // opened, so on a slow machine the first report may be in the view rather than a record).
    const progress = messages().flatMap((m) => (m.type === 'record' && m.record.state === 'PROGRESS' ? [m.record.meta?.current as number] : []));
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(new Set(progress).size).toBeGreaterThanOrEqual(3);
    expect(progress.at(-1)).toBe(5);
    expect(finalView()?.view).toMatchObject({ result: { steps: 5 }, timeline: expect.arrayContaining([expect.objectContaining({ state: 'SUCCESS' })]) });
  });

  it('ends open streams when the server closes', async () => {
    const mounted = await mount();
    const base = await listen(mounted);
    const stream = await readEvents(`${base}/live?watch=overview`, new AbortController().signal);
    await until(() => stream.events.length > 0, 10_000, 'the first message');
    await mounted.server.close();
    await stream.done;
  });
});
