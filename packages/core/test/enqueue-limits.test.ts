import { MemoryStore } from '@celeriac/memory';
import { describe, expect, it } from 'vitest';
import { type ApplyResult, type TaskMessage, decodeTaskMessage as decodeTaskMessageForTest } from '../src/adapter.js';
import { Celeriac, EnqueueTimeoutError, InvalidOptionError, type Logger } from '../src/index.js';

/** A store that holds every enqueue until `release()`, as a Redis connection does during an outage. */
class HoldingStore extends MemoryStore {
  release!: () => void;
  readonly #held = new Promise<void>((resolve) => {
    this.release = resolve;
  });

  override async enqueue(messages: readonly TaskMessage[]): Promise<ApplyResult[]> {
    await this.#held;
    return super.enqueue(messages);
  }
}

describe('new Celeriac() limits and timeouts', () => {
  it('validates maxMessageSize, maxNestingDepth and enqueueTimeout eagerly, naming the option', () => {
    const option = (options: object) => {
      try {
        new Celeriac(options);
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidOptionError);
        return (error as InvalidOptionError).option;
      }
      return undefined;
    };
    expect(option({ maxMessageSize: 0 })).toBe('maxMessageSize');
    expect(option({ maxMessageSize: 65 * 1024 * 1024 })).toBe('maxMessageSize');
    expect(option({ maxNestingDepth: 1.5 })).toBe('maxNestingDepth');
    expect(option({ maxNestingDepth: 257 })).toBe('maxNestingDepth');
    expect(option({ enqueueTimeout: -1 })).toBe('enqueueTimeout');
    expect(option({ enqueueTimeout: 2 ** 31 })).toBe('enqueueTimeout');
    expect(option({ maxMessageSize: 1, maxNestingDepth: 256, enqueueTimeout: 1 })).toBeUndefined();
  });

  it('an enqueue the store does not accept within enqueueTimeout fails with a retryable EnqueueTimeoutError; a late acceptance is logged', async () => {
    const store = new HoldingStore();
    const warnings: string[] = [];
    const logger: Logger = { debug() {}, info() {}, warn: (m) => warnings.push(m), error() {} };
    const app = new Celeriac({ store, logger, enqueueTimeout: 200 });
    const add = app.task({ name: 'limits.add' }, (a: number, b: number) => a + b);
    const started = Date.now();
    const error = await add.applyAsync([1, 2], { taskId: 'held-1' }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(error).toBeInstanceOf(EnqueueTimeoutError);
    expect(error).toMatchObject({ code: 'ENQUEUE_TIMEOUT', retryable: true, taskIds: ['held-1'], timeoutMs: 200 });
    expect((error as Error).message).toContain('retry with the same taskId');
    await expect(add.bulk([[1, 2], [3, 4]])).rejects.toBeInstanceOf(EnqueueTimeoutError);
    store.release();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(warnings.filter((w) => w.includes('accepted by the store after all'))).toHaveLength(2);
    expect(await app.result('held-1').exists()).toBe(true);
    await app.close();
    await store.close();
  });

  it('a stored message too deep for any app is malformed, not a stack overflow', () => {
    const raw = `{"id":"x","task":"t","args":[${'['.repeat(50_000)}${']'.repeat(50_000)}],"queue":"q","priority":0,"attempt":1,"createdAt":1}`;
    expect(() => decodeTaskMessageForTest(raw)).toThrow(/is nested more than \d+ levels deep/);
  });
});
