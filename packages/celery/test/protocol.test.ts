import { describe, expect, it } from 'vitest';
import { decodeCeleryTask, encodeCeleryTask, formatCeleryTime, fromCeleryMeta, parseCeleryTime, parsePythonJson, toCeleryMeta } from '@celeriac/celery/protocol';
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
});
