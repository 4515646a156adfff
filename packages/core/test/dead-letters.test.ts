import { MemoryStore } from '@celeriac/memory';
import { afterEach, describe, expect, it } from 'vitest';
import { Celeriac, type TaskRecord, task } from '../src/index.js';
import { startApp, tracker } from './support.js';

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 3_000): Promise<void> {
  for (const end = Date.now() + timeoutMs; !(await check()); ) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('dead letters (memory)', () => {
  const track = tracker();
  afterEach(track.closeAll);

  it('a letter dead-lettered at its delivery limit, requeued, really runs to SUCCESS as a new attempt', async () => {
    let runs = 0;
    class T {
      @task()
      crashy(tag: string) {
        runs++;
        return `ran ${tag}`;
      }
    }
    let inflate = true; // the first delivery looks as if it had killed three workers already
    const ctx = await track(startApp(new T(), { maxDeliveries: 3 }, (store) => {
      const reserve = store.reserve.bind(store);
      store.reserve = async (request) => (await reserve(request)).map((d) => (inflate ? { ...d, deliveries: d.deliveries + 3 } : d));
    }));
    const result = await ctx.tasks.crashy.delay('x');
    await until(async () => (await ctx.app.deadLetters.list()).letters.length === 1, 'the dead letter');
    expect((await result.refresh()).state).toBe('FAILURE');
    inflate = false;
    const states: string[] = [];
    await ctx.store.subscribe(result.id, (r: TaskRecord) => states.push(r.state));
    expect(await ctx.app.deadLetters.requeue(result.id)).toBe(true);
    expect(await ctx.app.result(result.id).get({ timeout: 2_000 })).toBe('ran x');
    expect(runs).toBe(1);
    expect(states).toEqual(['PENDING', 'STARTED', 'SUCCESS']);
    const record = await ctx.store.get(result.id);
    expect(record).toMatchObject({ state: 'SUCCESS', attempt: 2, seq: 6 }); // PENDING, STARTED, FAILURE, PENDING, STARTED, SUCCESS
    expect((await ctx.app.deadLetters.list()).letters).toEqual([]);
  });

  it('a task that fails its last retry goes to the DLQ with its last error when it opts in; requeued, it runs again', async () => {
    let calls = 0;
    class T {
      @task({ retries: 1, backoff: { type: 'fixed', delay: 1, jitter: false }, deadLetter: true })
      flaky(): string {
        calls++;
        if (calls <= 2) throw new RangeError(`bad call ${calls}`);
        return 'fine';
      }

      @task({ deadLetter: false })
      quiet(): void {
        throw new Error('not kept');
      }
    }
    const ctx = await track(startApp(new T(), { deadLetterFailures: true }));
    const result = await ctx.tasks.flaky.delay();
    await expect(result.get({ timeout: 2_000 })).rejects.toThrow(/bad call 2/);
    await until(async () => (await ctx.app.deadLetters.list()).letters.length === 1, 'the dead letter');
    const letter = await ctx.app.deadLetters.get(result.id);
    expect(letter?.reason).toMatch(/failed on attempt 2: RangeError: bad call 2/);
    await expect((await ctx.tasks.quiet.delay()).get({ timeout: 2_000 })).rejects.toThrow(/not kept/);
    expect((await ctx.app.deadLetters.list()).letters.map((d) => d.id)).toEqual([result.id]);
    expect(await ctx.app.deadLetters.requeueAll()).toBe(1);
    expect(await ctx.app.result(result.id).get({ timeout: 2_000 })).toBe('fine');
    expect(await ctx.store.get(result.id)).toMatchObject({ state: 'SUCCESS', attempt: 3 });
  });

  it('the worker default sends failures of tasks without their own option to the DLQ', async () => {
    class T {
      @task()
      fails(): void {
        throw new Error('always');
      }
    }
    const ctx = await track(startApp(new T(), { deadLetterFailures: true }));
    const result = await ctx.tasks.fails.delay();
    await expect(result.get({ timeout: 2_000 })).rejects.toThrow(/always/);
    await until(async () => (await ctx.app.deadLetters.get(result.id)) !== null, 'the dead letter');
    expect(await ctx.app.deadLetters.purge([result.id])).toBe(1);
    expect(await ctx.app.deadLetters.get(result.id)).toBeNull();
  });

  it('the queue is bounded by count and age, and lists in pages', async () => {
    const store = new MemoryStore({ deadLetterLimit: 3, deadLetterTtl: 200 });
    const app = new Celeriac({ store });
    track(Promise.resolve({ close: async () => { await app.close(); await store.close(); } }));
    for (let i = 0; i < 5; i++) store.injectRaw('default', `{not json ${i}`);
    await store.reserve({ queues: ['default'], tasks: ['x'], max: 1, waitMs: 0 });
    const first = await app.deadLetters.list({ limit: 2 });
    expect(first.letters.map((d) => d.raw)).toEqual(['{not json 2', '{not json 3']);
    expect(first.next).toBe(2);
    const second = await app.deadLetters.list({ limit: 2, offset: first.next ?? 0 });
    expect(second).toEqual({ letters: [expect.objectContaining({ raw: '{not json 4' })], next: null });
    await new Promise((r) => setTimeout(r, 250));
    expect((await app.deadLetters.list()).letters).toEqual([]);
  });
});
