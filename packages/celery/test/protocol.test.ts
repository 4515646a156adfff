import { describe, expect, it } from 'vitest';
import { celeryCall, decodeCeleryTask, encodeCeleryTask, formatCeleryTime, fromCeleryMeta, parseCeleryTime, parsePythonJson, toCeleryMeta } from '@celeriac/celery/protocol';
import { makeMessage } from '@celeriac/core/testing';

describe('Celery protocol codec', () => {
  it('writes eta / expires with exactly six fraction digits, and reads them back to the microsecond', () => {
    expect(formatCeleryTime(Date.UTC(2024, 0, 2, 3, 4, 5, 250))).toBe('2024-01-02T03:04:05.250000+00:00');
    expect(formatCeleryTime(Date.UTC(2024, 0, 2, 3, 4, 5, 7) + 0.123)).toBe('2024-01-02T03:04:05.007123+00:00');
    expect(parseCeleryTime('2024-01-02T03:04:05.007123+00:00')).toBeCloseTo(Date.UTC(2024, 0, 2, 3, 4, 5, 7) + 0.123, 6);
    expect(parseCeleryTime('2024-01-02T05:04:05.250000+02:00')).toBe(Date.UTC(2024, 0, 2, 3, 4, 5, 250));
    expect(parseCeleryTime('2024-01-02T03:04:05')).toBe(Date.UTC(2024, 0, 2, 3, 4, 5));
    expect(() => parseCeleryTime('tomorrow')).toThrow(RangeError);
  });

  it('reads Python JSON: NaN, Infinity and big integers become values, never rounded', () => {
    expect(parsePythonJson('[NaN, Infinity, -Infinity, 12345678901234567890, 1.5, "NaN"]')).toEqual([Number.NaN, Infinity, -Infinity, 12345678901234567890n, 1.5, 'NaN']);
    expect(parsePythonJson('{"a": [1, {"b": null}]}')).toEqual({ a: [1, { b: null }] });
  });

  it('round-trips a Celeriac message, workflow included, through protocol 2', () => {
    const message = makeMessage({ task: 't.x', args: [1, { é: 'ü' }], eta: Date.now() + 1000, expires: Date.now() + 5000, attempt: 3, chain: [{ id: 'n1', task: 't.y', args: [], queue: 'q', priority: 0, passResult: true }] });
    const encoded = encodeCeleryTask(message);
    expect(encoded.headers).toMatchObject({ task: 't.x', id: message.id, retries: 2, lang: 'py' });
    expect(JSON.parse(encoded.body)[2].chain).toEqual([{ task: 't.y', args: [], kwargs: {}, options: { task_id: 'n1', queue: 'q', priority: 0 }, subtask_type: null, immutable: false, chord_size: null }]);
    const decoded = decodeCeleryTask(encoded.headers, encoded.body, { queue: message.queue, priority: message.priority, contentType: encoded.contentType });
    expect(decoded).toEqual({ ...message, eta: expect.closeTo(message.eta as number, 3), expires: expect.closeTo(message.expires as number, 3) });
  });

  it('a failure reads in Python as exc_type / exc_message (a list) / exc_module, and back', () => {
    const record = { id: 'i', task: 't', state: 'FAILURE', seq: 3, attempt: 1, updatedAt: Date.UTC(2024, 0, 1), error: { type: 'Error', message: 'boom', stack: 'Error: boom' } };
    const meta = toCeleryMeta(record);
    expect(meta).toMatchObject({ status: 'FAILURE', result: { exc_type: 'Exception', exc_message: ['boom'], exc_module: 'builtins' }, traceback: 'Error: boom', date_done: '2024-01-01T00:00:00.000000' });
    const python = { status: 'FAILURE', result: { exc_type: 'KeyError', exc_message: ['missing'], exc_module: 'builtins' }, traceback: 'Traceback…', task_id: 'i', date_done: '2024-01-01T00:00:00.000000' };
    expect(fromCeleryMeta('i', python)).toMatchObject({ state: 'FAILURE', seq: undefined, error: { type: 'KeyError', message: 'missing', stack: 'Traceback…' } });
    expect(fromCeleryMeta('i', { status: 'PROGRESS', result: { current: 1 } })).toMatchObject({ state: 'PROGRESS', meta: { current: 1 } });
  });

  it('reads Celery\'s embed: link as the next step, link_error with the failed id first, a chord only where the store counts it', () => {
    const sig = (task: string, args: unknown[], options: Record<string, unknown> = {}, immutable = false) => ({ task, args, kwargs: {}, options, subtask_type: null, immutable });
    const id = crypto.randomUUID();
    const headers = { lang: 'py', task: 'node.add', id, retries: 0, group: 'g1', group_index: 2 };
    const options = { queue: 'celery', priority: 0, contentType: 'application/json' };
    const body = (embed: Record<string, unknown>) => JSON.stringify([[1], { b: 2 }, { callbacks: null, errbacks: null, chain: null, chord: null, ...embed }]);
    const parameters = { 'node.add': ['a', 'b'] };
    const linked = decodeCeleryTask(headers, body({ callbacks: [sig('tasks.mul', [10], { task_id: 'cb', queue: 'py' })], errbacks: [sig('tasks.note', ['x'], { task_id: 'eb' }), sig('tasks.note', ['y'], {}, true)] }), { ...options, parameters });
    expect(linked.args).toEqual([1, 2]);
    expect(celeryCall(linked)).toEqual({ args: [1], kwargs: { b: 2 } });
    expect(linked.chain).toEqual([{ id: 'cb', task: 'tasks.mul', args: [10], queue: 'py', priority: 0, passResult: true }]);
    expect(linked.errbacks).toEqual([
      { id: 'eb', task: 'tasks.note', args: [id, 'x'], queue: 'celery', priority: 0, passResult: false },
      { id: expect.stringMatching(/^[0-9a-f-]{36}$/), task: 'tasks.note', args: ['y'], queue: 'celery', priority: 0, passResult: false },
    ]);
    // Ids a signature lacks are derived from the task's: a redelivery names the same follow-ups.
    const again = decodeCeleryTask(headers, body({ errbacks: [sig('tasks.note', ['x'], { task_id: 'eb' }), sig('tasks.note', ['y'], {}, true)] }), { ...options, parameters });
    expect(again.errbacks?.[1]?.id).toBe(linked.errbacks?.[1]?.id);
    expect(() => decodeCeleryTask(headers, body({ callbacks: [sig('a', []), sig('b', [])] }), { ...options, parameters })).toThrow(/several Celery link callbacks/);
    const chord = body({ chord: sig('tasks.collect', ['x'], { task_id: 'cb' }) });
    expect(() => decodeCeleryTask(headers, chord, { ...options, parameters })).toThrow(/Celery chords are counted on Celery's Redis result backend/);
    const member = decodeCeleryTask(headers, chord, { ...options, parameters, chords: true });
    expect(member.chord).toBeUndefined();
    expect(celeryCall(member).chord).toEqual({ group: 'g1', index: 2, callback: sig('tasks.collect', ['x'], { task_id: 'cb' }) });
    // A retry goes on with its chord: it is sent in Celery's form again.
    const retried = encodeCeleryTask(member);
    expect(retried.headers).toMatchObject({ group: 'g1', group_index: 2 });
    expect(JSON.parse(retried.body)[2].chord).toMatchObject({ task: 'tasks.collect', options: { task_id: 'cb' } });
  });

  it('sends a Celeriac chord member and error callbacks in Celery\'s form', () => {
    const callback = { id: 'cb', task: 'tasks.echo', args: [], queue: 'celery', priority: 0, passResult: true };
    const message = makeMessage({ task: 'tasks.add', args: [1, 1], groupId: 'g', chord: { groupId: 'g', members: ['m0', 'm1'], callback }, errbacks: [{ ...callback, id: 'eb', task: 'tasks.note' }] });
    const link = { groupId: 'g', members: ['m0', 'm1'], callback };
    const member = { ...message, id: 'm1' };
    const encoded = encodeCeleryTask(member);
    expect(encoded.headers).toMatchObject({ group: 'g', group_index: 1 });
    const embed = JSON.parse(encoded.body)[2];
    expect(embed.chord).toEqual({ task: 'tasks.echo', args: [], kwargs: {}, options: { task_id: 'cb', queue: 'celery', priority: 0 }, subtask_type: null, immutable: false, chord_size: null });
    expect(embed.errbacks).toEqual([{ task: 'tasks.note', args: [], kwargs: {}, options: { task_id: 'eb', queue: 'celery', priority: 0 }, subtask_type: null, immutable: false, chord_size: null }]);
    // Links after the callback have no place in Celery's form: the chord stays Celeriac's own.
    const chained = encodeCeleryTask({ ...member, chord: { ...link, chain: [{ ...callback, id: 'after' }] } });
    expect(JSON.parse(chained.body)[2].chord).toBeNull();
  });
});
