import { describe, expect, it } from 'vitest';
import { act, mountPerTest } from './helpers.js';

const { mount } = mountPerTest();

/** Every kind of route: the page, an asset path, the API, both live streams, actions of each group. */
const GETS = ['/dash/', '/dash/assets/x.js', '/dash/api/config', '/dash/api/overview', '/dash/api/tasks?state=FAILURE', '/dash/api/tasks/abc', '/dash/api/live?watch=overview', '/dash/api/tasks/abc/live'];
const ACTIONS = [
  '/dash/api/queues/default/pause',
  '/dash/api/queues/default/resume',
  '/dash/api/queues/default/purge',
  '/dash/api/tasks/abc/retry',
  '/dash/api/tasks/abc/revoke',
  '/dash/api/schedules/hourly-add/pause',
  '/dash/api/schedules/hourly-add/resume',
  '/dash/api/dead-letters/abc/requeue',
  '/dash/api/dead-letters/abc/purge',
  '/dash/api/dead-letters/purge',
];

describe('the auth hook', () => {
  it('runs before every route, and its refusal is the answer (nothing runs, no stream opens)', async () => {
    const { server, app, tasks } = await mount({
      auth: async (request, reply) => {
        if (request.headers.authorization !== 'Bearer s3cret') await reply.code(401).send({ statusCode: 401, error: 'Unauthorized', message: 'Send the token' });
      },
    });
    await tasks.mail.delay('ada');
    for (const url of GETS) {
      const refused = await server.inject(url);
      expect([url, refused.statusCode, refused.json()]).toEqual([url, 401, { statusCode: 401, error: 'Unauthorized', message: 'Send the token' }]);
    }
    for (const url of ACTIONS) expect([url, (await act(server, url)).statusCode]).toEqual([url, 401]);
    expect((await app.queues.get('mail'))?.waiting).toBe(1);
    expect((await app.queues.get('default'))?.paused ?? false).toBe(false);

    const allowed = { authorization: 'Bearer s3cret' };
    expect((await server.inject({ url: '/dash/', headers: allowed })).statusCode).toBe(200);
    expect((await server.inject({ url: '/dash/api/queues', headers: allowed })).json()).toMatchObject([{ name: 'mail', waiting: 1 }]);
    expect((await act(server, '/dash/api/queues/mail/pause', allowed)).statusCode).toBe(200);
    expect((await app.queues.get('mail'))?.paused).toBe(true);
  });

  it('may refuse by throwing an error with a 4xx statusCode: answered as JSON', async () => {
    const { server } = await mount({
      auth: () => {
        throw Object.assign(new Error('Forbidden for you'), { statusCode: 403 });
      },
    });
    const refused = await server.inject('/dash/api/overview');
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toEqual({ statusCode: 403, error: 'Forbidden', message: 'Forbidden for you' });
  });
});

describe('read-only mode', () => {
  it('refuses every action with 403 JSON and changes nothing; reads still work and the page is told', async () => {
    const { server, app, tasks } = await mount({ readOnly: true });
    await tasks.mail.delay('ada');
    expect((await server.inject('/dash/api/config')).json()).toEqual({ title: 'Celeriac', readOnly: true, refreshInterval: 100 });
    for (const url of [...ACTIONS, '/dash/api/queues/mail/purge', '/dash/api/queues/mail/pause']) {
      const refused = await act(server, url);
      expect([url, refused.statusCode, refused.json()]).toEqual([url, 403, { statusCode: 403, error: 'Forbidden', message: 'The dashboard is read-only: actions are turned off', code: 'CELERIAC_DASHBOARD_READ_ONLY' }]);
    }
    expect(await app.queues.get('mail')).toMatchObject({ waiting: 1, paused: false });
    expect((await app.schedules.list())[0]?.paused).toBe(false);
    expect((await server.inject('/dash/api/queues')).statusCode).toBe(200);
  });
});

describe('bad input is a 4xx JSON answer, never a 500', () => {
  const cases: [string, string, number, RegExp][] = [
    ['GET', '/dash/api/tasks/not%20an%20id!', 400, /Not a task id/],
    ['GET', `/dash/api/tasks/${'x'.repeat(129)}`, 414, /./],
    ['GET', '/dash/api/tasks/never-enqueued', 404, /No task has id "never-enqueued"/],
    ['GET', '/dash/api/tasks/never-enqueued/live', 404, /No task has id/],
    ['GET', '/dash/api/tasks', 400, /Give the state to list/],
    ['GET', '/dash/api/tasks?state=failure', 400, /Not a task state: "failure"/],
    ['GET', '/dash/api/tasks?state=FAILURE&limit=0', 400, /limit must be from 1 to 500, got 0/],
    ['GET', '/dash/api/tasks?state=FAILURE&limit=100000', 400, /limit must be from 1 to 500/],
    ['GET', '/dash/api/tasks?state=FAILURE&limit=ten', 400, /limit must be one whole number, got "ten"/],
    ['GET', '/dash/api/tasks?state=FAILURE&offset=-1', 400, /offset must be one whole number/],
    ['GET', '/dash/api/tasks?state=FAILURE&offset=1&offset=2', 400, /offset must be one whole number/],
    ['GET', '/dash/api/tasks?state=FAILURE&task=no%20spaces', 400, /Not a task name/],
    ['GET', '/dash/api/tasks?stat=FAILURE', 400, /Unknown query parameter "stat"/],
    ['GET', '/dash/api/tasks?state=FAILURE&queue=bad%20name', 400, /Not a queue name: "bad name"/],
    ['GET', `/dash/api/tasks?state=FAILURE&queue=${'q'.repeat(201)}`, 400, /Not a queue name/],
    ['GET', '/dash/api/tasks?state=FAILURE&queue=mail&queue=default', 400, /queue must be given once/],
    ['GET', '/dash/api/live?watch=tasks%3Fstate%3DFAILURE%26queue%3Dno%2Fslash', 400, /Not a queue name/],
    ['GET', '/dash/api/dead-letters?limit=-5', 400, /limit must be one whole number/],
    ['GET', '/dash/api/queues?x=1', 400, /Unknown query parameter "x" \(known: none\)/],
    ['GET', '/dash/api/nothing', 404, /No dashboard route GET \/dash\/api\/nothing/],
    ['GET', '/dash/api/live', 400, /Watch 1 to 8 resources/],
    ['GET', '/dash/api/live?watch=secrets', 400, /Cannot watch "secrets" \(known: overview, queues, tasks, task-names, workers, schedules, dead-letters\)/],
    ['GET', '/dash/api/live?watch=tasks%3Fstate%3Dnope', 400, /Not a task state/],
    ['POST', '/dash/api/queues/nope/pause', 404, /No queue is named "nope"/],
    ['POST', '/dash/api/queues/nope/purge', 404, /No queue is named "nope"/],
    ['POST', '/dash/api/queues/bad%20name/resume', 400, /Not a queue name/],
    ['POST', '/dash/api/tasks/never-enqueued/retry', 404, /No task has id/],
    ['POST', '/dash/api/tasks/never-enqueued/revoke', 404, /No task has id/],
    ['POST', '/dash/api/tasks/bad%20id/revoke', 400, /Not a task id/],
    ['POST', '/dash/api/schedules/nope/pause', 404, /No schedule is named "nope"/],
    ['POST', '/dash/api/dead-letters/nope/requeue', 404, /No dead letter has id "nope"/],
    ['POST', '/dash/api/dead-letters/nope/purge', 404, /No dead letter has id "nope"/],
    ['DELETE', '/dash/api/queues/default', 404, /No dashboard route DELETE/],
  ];
  for (const [method, url, status, message] of cases) {
    it(`${method} ${url.length > 70 ? `${url.slice(0, 70)}…` : url} → ${status}`, async () => {
      const { server } = await mount();
      const answer = method === 'POST' ? await act(server, url) : await server.inject({ method: method as 'GET' | 'DELETE', url });
      expect(answer.statusCode).toBe(status);
      expect(answer.headers['content-type']).toMatch(/^application\/json/);
      expect(answer.json()).toMatchObject({ statusCode: status, message: expect.stringMatching(message) });
    });
  }

  it('takes actions only with a JSON body: a form posted from another site is refused (415)', async () => {
    const { server, app, tasks } = await mount();
    await tasks.mail.delay('ada');
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const answer = await server.inject({ method: 'POST', url: '/dash/api/queues/mail/purge', headers: { 'content-type': type }, payload: 'x=1' });
      expect([type, answer.statusCode]).toEqual([type, 415]);
    }
    const bare = await server.inject({ method: 'POST', url: '/dash/api/queues/mail/purge' });
    expect(bare.statusCode).toBe(415);
    expect(bare.json()).toMatchObject({ code: 'CELERIAC_DASHBOARD_JSON_ONLY' });
    expect((await app.queues.get('mail'))?.waiting).toBe(1);
  });

  it('answers 409 for an action that does not apply to the task as it is', async () => {
    const { server, app, tasks } = await mount();
    await app.worker({ pollInterval: 20 }).start();
    const done = await tasks.add.delay(1, 2);
    await done.wait({ timeout: 10_000 });
    const retry = await act(server, `/dash/api/tasks/${done.id}/retry`);
    expect(retry.statusCode).toBe(409);
    expect(retry.json().message).toBe(`Task ${done.id} is SUCCESS: only a FAILURE whose message is still kept can be retried`);
    const revoke = await act(server, `/dash/api/tasks/${done.id}/revoke`);
    expect(revoke.statusCode).toBe(409);
    expect(revoke.json().message).toBe(`Task ${done.id} has already finished`);
  });
});
