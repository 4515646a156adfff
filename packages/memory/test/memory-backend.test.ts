import type { TaskRecord } from '@celeriac/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MemoryBackend } from '../src/index.js';

describe('MemoryBackend', () => {
  let backend: MemoryBackend;
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    backend = new MemoryBackend({ resultTtl: 60_000 });
  });
  afterEach(async () => {
    await backend.close();
    vi.useRealTimers();
  });

  it('drops a finished record once resultTtl has passed since it finished', async () => {
    await backend.apply({ id: 'a', task: 't', state: 'PENDING', create: true });
    vi.advanceTimersByTime(50_000);
    await backend.apply({ id: 'a', state: 'STARTED' });
    await backend.apply({ id: 'a', state: 'SUCCESS', result: 1 });
    vi.advanceTimersByTime(59_000); // 109 s after creation, 59 s after the end
    expect(await backend.get('a')).toMatchObject({ state: 'SUCCESS', result: 1 });
    vi.advanceTimersByTime(61_000);
    expect(await backend.get('a')).toBeNull();
  });

  it('keeps an unfinished record as long as it keeps changing', async () => {
    await backend.apply({ id: 'a', task: 't', state: 'PENDING', create: true });
    await backend.apply({ id: 'a', state: 'STARTED' });
    for (let i = 0; i < 4; i++) {
      vi.advanceTimersByTime(50_000);
      await backend.apply({ id: 'a', state: 'PROGRESS', meta: { i } });
    }
    vi.advanceTimersByTime(50_000);
    expect(await backend.get('a')).toMatchObject({ state: 'PROGRESS', meta: { i: 3 } });
  });

  it('tells a listener that subscribed before the record existed, and one that stays through forget()', async () => {
    const seen: TaskRecord[] = [];
    const stop = await backend.subscribe('a', (r) => seen.push(r));
    await backend.apply({ id: 'a', task: 't', state: 'PENDING', create: true });
    await backend.forget('a');
    expect(await backend.get('a')).toBeNull();
    await backend.apply({ id: 'a', task: 't', state: 'PENDING', create: true });
    stop();
    await backend.apply({ id: 'a', state: 'STARTED' });
    expect(seen.map((r) => [r.state, r.seq])).toEqual([
      ['PENDING', 1],
      ['PENDING', 1],
    ]);
  });

  it('tells every listener of an id, and only those still subscribed', async () => {
    const first: string[] = [];
    const second: string[] = [];
    const stopFirst = await backend.subscribe('a', (r) => first.push(r.state));
    await backend.subscribe('a', (r) => second.push(r.state));
    await backend.apply({ id: 'a', task: 't', state: 'PENDING', create: true });
    stopFirst();
    await backend.apply({ id: 'a', state: 'STARTED' });
    expect(first).toEqual(['PENDING']);
    expect(second).toEqual(['PENDING', 'STARTED']);
  });

  it('stores copies: changing the caller objects later does not change the record', async () => {
    const result = { rows: [1] };
    await backend.apply({ id: 'a', task: 't', state: 'PENDING', create: true });
    await backend.apply({ id: 'a', state: 'STARTED' });
    await backend.apply({ id: 'a', state: 'SUCCESS', result });
    result.rows.push(2);
    const stored = await backend.get('a');
    expect(stored?.result).toEqual({ rows: [1] });
    expect(Object.isFrozen(stored)).toBe(true);
  });
});
