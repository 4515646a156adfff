import { describe, expectTypeOf, it } from 'vitest';
import { Celeriac, type QueueInfo, type ScheduleInfo, type TaskPage, type TaskRecord, type TaskState, type TaskView, type TimelineEntry } from '../src/index.js';
import type { ReserveRequest, TaskStore } from '../src/adapter.js';

describe('the admin API types', () => {
  const app = new Celeriac();

  it('queues', () => {
    expectTypeOf(app.queues.list()).toEqualTypeOf<Promise<QueueInfo[]>>();
    expectTypeOf(app.queues.get('mail')).toEqualTypeOf<Promise<QueueInfo | null>>();
    expectTypeOf(app.queues.pause).parameters.toEqualTypeOf<[name: string]>();
    expectTypeOf(app.queues.purge('mail')).toEqualTypeOf<Promise<number>>();
    expectTypeOf<QueueInfo>().toEqualTypeOf<{ name: string; waiting: number; delayed: number; running: number; oldestWaitingAt: number | null; paused: boolean }>();
  });

  it('tasks', () => {
    expectTypeOf(app.tasks.counts()).toEqualTypeOf<Promise<Record<TaskState, number>>>();
    expectTypeOf(app.tasks.list({ state: 'FAILURE', task: 'mail.send', queue: 'mail', limit: 10, offset: 0 })).toEqualTypeOf<Promise<TaskPage>>();
    expectTypeOf<TaskPage['tasks']>().toEqualTypeOf<TaskRecord[]>();
    expectTypeOf<TaskPage['next']>().toEqualTypeOf<number | null>();
    // @ts-expect-error the state is required
    void app.tasks.list({ task: 'mail.send' });
    expectTypeOf(app.tasks.view('id')).toEqualTypeOf<Promise<TaskView | null>>();
    expectTypeOf<TaskView['args']>().toEqualTypeOf<unknown[] | null>();
    expectTypeOf<TaskView['timeline']>().toEqualTypeOf<TimelineEntry[]>();
    expectTypeOf<TaskView>().toMatchTypeOf<TaskRecord>();
    expectTypeOf<TimelineEntry['worker']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<TaskRecord['worker']>().toEqualTypeOf<string | undefined>();
    expectTypeOf(app.tasks.retry('id')).toEqualTypeOf<Promise<boolean>>();
    expectTypeOf(app.tasks.retryFailed('mail.send')).toEqualTypeOf<Promise<number>>();
  });

  it('schedules', () => {
    expectTypeOf(app.schedules.list()).toEqualTypeOf<Promise<ScheduleInfo[]>>();
    expectTypeOf<ScheduleInfo['nextRunAt']>().toEqualTypeOf<number | null>();
    expectTypeOf<ScheduleInfo['lastRunAt']>().toEqualTypeOf<number | null>();
    expectTypeOf(app.schedules.pause('x')).toEqualTypeOf<Promise<void>>();
    expectTypeOf(app.schedules.resume('x')).toEqualTypeOf<Promise<void>>();
  });

  it('the store contract', () => {
    expectTypeOf<ReserveRequest['worker']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<TaskStore['purgeQueue']>().returns.resolves.toEqualTypeOf<import('../src/adapter.js').TaskMessage[]>();
    expectTypeOf<TaskStore['listTasks']>().returns.resolves.toEqualTypeOf<TaskRecord[]>();
  });
});
