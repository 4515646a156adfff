import type { TaskRecord } from '@celeriac/core';
import { describe, expect, it } from 'vitest';
import { toTaskStatus } from '../src/index.js';

const record = (fields: Partial<TaskRecord> & Pick<TaskRecord, 'state'>): TaskRecord => ({ id: 't1', task: 'long_task', seq: 1, attempt: 1, updatedAt: 0, ...fields });

describe('toTaskStatus (the seed shape)', () => {
  it('PENDING: the seed answer, word for word', () => {
    expect(toTaskStatus(record({ state: 'PENDING' }))).toEqual({ state: 'PENDING', current: 0, total: 1, status: 'Pending...' });
  });

  it('a running state without progress: current 0, total 1, empty status (as the seed)', () => {
    expect(toTaskStatus(record({ state: 'STARTED' }))).toEqual({ state: 'STARTED', current: 0, total: 1, status: '' });
  });

  it('PROGRESS: current, total and status from the meta', () => {
    expect(toTaskStatus(record({ state: 'PROGRESS', meta: { current: 3, total: 17, status: 'Booting radiant bit...' } }))).toEqual({
      state: 'PROGRESS',
      current: 3,
      total: 17,
      status: 'Booting radiant bit...',
    });
  });

  it('ignores progress fields of the wrong type', () => {
    expect(toTaskStatus(record({ state: 'PROGRESS', meta: { current: '3', total: Number.NaN, status: 5 } }))).toEqual({ state: 'PROGRESS', current: 0, total: 1, status: '' });
  });

  it("SUCCESS with the seed's result object: lifts result, keeps its progress fields", () => {
    const result = { current: 100, total: 100, status: 'Task completed!', result: 42 };
    expect(toTaskStatus(record({ state: 'SUCCESS', result }))).toEqual({ state: 'SUCCESS', current: 100, total: 100, status: 'Task completed!', result: 42 });
  });

  it('SUCCESS with { result } alone: complete progress and the default status', () => {
    expect(toTaskStatus(record({ state: 'SUCCESS', result: { result: [1, 2] } }))).toEqual({ state: 'SUCCESS', current: 1, total: 1, status: 'Task completed!', result: [1, 2] });
  });

  it('SUCCESS with any other value: the value is the result', () => {
    expect(toTaskStatus(record({ state: 'SUCCESS', result: 3 }))).toEqual({ state: 'SUCCESS', current: 1, total: 1, status: 'Task completed!', result: 3 });
    expect(toTaskStatus(record({ state: 'SUCCESS', result: { sum: 3 } }))).toMatchObject({ result: { sum: 3 } });
    expect(toTaskStatus(record({ state: 'SUCCESS' }))).toMatchObject({ result: null });
  });

  it('FAILURE: "<Type>: <message>" and the error without its stack', () => {
    const status = toTaskStatus(record({ state: 'FAILURE', error: { type: 'TypeError', message: 'bad input', code: 'E_BAD', stack: 'TypeError: bad input\n    at /srv/app.js:1:1' } }));
    expect(status).toEqual({ state: 'FAILURE', current: 1, total: 1, status: 'TypeError: bad input', error: { type: 'TypeError', message: 'bad input', code: 'E_BAD' } });
  });

  it('RETRY and REVOKED say why', () => {
    expect(toTaskStatus(record({ state: 'RETRY', error: { type: 'Error', message: 'flaky' } })).status).toBe('Retrying after Error: flaky');
    expect(toTaskStatus(record({ state: 'REVOKED', meta: { reason: 'revoked' } })).status).toBe('Revoked');
    expect(toTaskStatus(record({ state: 'REVOKED', meta: { reason: 'expired' } })).status).toBe('Revoked (expired)');
  });
});
