import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo } from './support.js';

describe('the seed routes', () => {
  let demo: Awaited<ReturnType<typeof startDemo>>;
  beforeAll(async () => {
    // random() = 0: 10 steps, one status message; 5 ms a step.
    demo = await startDemo(5, () => 0);
  });
  afterAll(() => demo.close());

  it('mounts the dashboard at /dashboard/, its API reading the demo\'s app', async () => {
    const page = await fetch(`${demo.url}/dashboard/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>long-task demo</title>');
    await fetch(`${demo.url}/longtask`, { method: 'POST' });
    const names = (await (await fetch(`${demo.url}/dashboard/api/task-names`)).json()) as { name: string }[];
    expect(names.map((n) => n.name)).toContain('long_task');
  });

  it('POST /longtask answers 202 with the Location of its status, and the status follows the seed', async () => {
    const response = await fetch(`${demo.url}/longtask`, { method: 'POST' });
    expect(response.status).toBe(202);
    const location = response.headers.get('location') as string;
    const { id, state } = (await response.json()) as { id: string; state: string };
    expect(location).toBe(`/status/${id}`);
    expect(state).toBe('PENDING');
    const seen = new Set<string>();
    let body: Record<string, unknown> = {};
    for (let i = 0; i < 200 && body.state !== 'SUCCESS'; i++) {
      body = (await (await fetch(demo.url + location)).json()) as Record<string, unknown>;
      seen.add(String(body.state));
      if (body.state === 'PROGRESS') {
        expect(body).toMatchObject({ total: 10, status: 'Starting up master solar array...' });
        expect(body.current).toBeTypeOf('number');
      }
      await new Promise<void>((r) => setTimeout(r, 5));
    }
    expect(body).toEqual({ state: 'SUCCESS', current: 100, total: 100, status: 'Task completed!', result: 42 });
    expect(seen.has('PROGRESS')).toBe(true);
  });

  it('answers 404 with a JSON error for an id never enqueued, and 400 for a malformed one', async () => {
    const unknown = await fetch(`${demo.url}/status/never-enqueued`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ statusCode: 404, message: 'No task with id "never-enqueued" was ever enqueued' });
    const malformed = await fetch(`${demo.url}/status/${encodeURIComponent('bad id!')}`);
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ statusCode: 400 });
  });

  it('exposes the task through the generic API too, and serves the page and its client modules', async () => {
    const started = await fetch(`${demo.url}/api/tasks/long_task`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"args":[]}' });
    expect(started.status).toBe(202);
    const refused = await fetch(`${demo.url}/api/tasks/long_task`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"args":[1]}' });
    expect(refused.status).toBe(400);
    const page = await fetch(`${demo.url}/`);
    expect(await page.text()).toContain('Start a long task');
    expect((await fetch(`${demo.url}/vendor/celeriac-client/index.js`)).status).toBe(200);
    expect((await fetch(`${demo.url}/vendor/celeriac-client/nope.txt`)).status).toBe(404);
  });
});
