import { describe, expectTypeOf, it } from 'vitest';
import {
  Celeriac,
  type CeleriacEvent,
  type CeleriacEventName,
  type CeleriacEvents,
  type PingReply,
  type SerializedError,
  type TaskState,
  type WorkerInfo,
} from '../src/index.js';

const app = new Celeriac();
const worker = app.worker();

describe('lifecycle event types', () => {
  it('infers each listener payload from the event name', () => {
    app.on('task-succeeded', (e) => {
      expectTypeOf(e.runtimeMs).toEqualTypeOf<number>();
      expectTypeOf(e.taskId).toEqualTypeOf<string>();
      expectTypeOf(e.worker).toEqualTypeOf<string>();
    });
    app.on('task-failed', (e) => {
      expectTypeOf(e.error).toEqualTypeOf<SerializedError>();
      expectTypeOf(e.attempt).toEqualTypeOf<number>();
    });
    app.on('task-progress', (e) => {
      expectTypeOf(e.state).toEqualTypeOf<TaskState>();
      expectTypeOf(e.meta).toEqualTypeOf<Record<string, unknown> | undefined>();
    });
    app.on('task-sent', (e) => {
      expectTypeOf(e.queue).toEqualTypeOf<string>();
      expectTypeOf(e).not.toHaveProperty('worker');
    });
    worker.on('worker-heartbeat', (e) => expectTypeOf(e.info).toEqualTypeOf<WorkerInfo>());
    app.on('store-reconnected', (e) => expectTypeOf(e.downMs).toEqualTypeOf<number>());
    app.on('store-disconnected', (e) => expectTypeOf(e).not.toHaveProperty('taskId'));
  });

  it('refuses unknown names and listeners of another event', () => {
    // @ts-expect-error not an event
    app.on('task-done', () => undefined);
    // @ts-expect-error task-received has no runtimeMs
    app.on('task-received', (e: CeleriacEvents['task-succeeded']) => e.runtimeMs);
    // @ts-expect-error worker events have no error
    worker.on('worker-online', (e) => e.error);
  });

  it('accepts async listeners; on returns an unsubscribe function', () => {
    expectTypeOf(app.on('task-started', async () => undefined)).toEqualTypeOf<() => void>();
    expectTypeOf(worker.on('task-started', () => undefined)).toEqualTypeOf<() => void>();
  });

  it('types the queue-wide stream as a union narrowed by `type`', async () => {
    const unsubscribe = await app.events.follow((event) => {
      expectTypeOf(event).toEqualTypeOf<CeleriacEvent>();
      if (event.type === 'task-succeeded') expectTypeOf(event.runtimeMs).toEqualTypeOf<number>();
      if (event.type === 'worker-offline') expectTypeOf(event).not.toHaveProperty('taskId');
      expectTypeOf(event.type).toEqualTypeOf<CeleriacEventName>();
    });
    expectTypeOf(unsubscribe).toEqualTypeOf<() => void>();
    expectTypeOf(app.events.recent(10)).resolves.toEqualTypeOf<CeleriacEvent[]>();
  });

  it('types the worker registry', () => {
    expectTypeOf(app.workers.list()).resolves.toEqualTypeOf<WorkerInfo[]>();
    expectTypeOf(app.workers.ping(500)).resolves.toEqualTypeOf<PingReply[]>();
    expectTypeOf<WorkerInfo['running'][number]>().toEqualTypeOf<{ id: string; task: string; attempt: number; startedAt: number }>();
  });
});
