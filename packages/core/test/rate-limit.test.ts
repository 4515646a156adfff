import { describe, expect, it } from 'vitest';
import { Celeriac, task } from '../src/index.js';

describe('rate limits', () => {
  it('parses the option and refuses bad ones, naming it', () => {
    class Ok {
      @task({ rateLimit: '10/m' })
      a() {}
      @task({ rateLimit: { limit: 3, intervalMs: 500 } })
      b() {}
    }
    const app = new Celeriac({ eager: true });
    app.register(new Ok());
    expect(app.registry.rateLimits(['Ok.a', 'Ok.b'])).toEqual({ 'Ok.a': { limit: 10, intervalMs: 60_000 }, 'Ok.b': { limit: 3, intervalMs: 500 } });
    for (const bad of ['10/d', 'ten/s', '0/s', { limit: 0, intervalMs: 1 }]) {
      expect(() => {
        class Bad {
          @task({ rateLimit: bad as '1/s' })
          c() {}
        }
        return Bad;
      }).toThrow(/@task\(\) on Bad.c: option "rateLimit"/);
    }
  });

  it('holds a limited task in the broker while other tasks run, then lets it through as the window slides', async () => {
    const starts: { task: string; at: number }[] = [];
    class Jobs {
      @task({ rateLimit: { limit: 5, intervalMs: 400 } })
      insert() {
        starts.push({ task: 'insert', at: Date.now() });
      }
      @task()
      other() {
        starts.push({ task: 'other', at: Date.now() });
      }
    }
    const app = new Celeriac();
    const jobs = app.register(new Jobs());
    const inserts = await jobs.insert.bulk(Array.from({ length: 15 }, () => []));
    const others = await jobs.other.bulk(Array.from({ length: 5 }, () => []));
    const begin = Date.now();
    await app.worker({ concurrency: 50, pollInterval: 50 }).start();
    await Promise.all(others.map((r) => r.wait({ timeout: 1_000 })));
    expect(Date.now() - begin).toBeLessThan(300); // not stuck behind the limited task
    await Promise.all(inserts.map((r) => r.wait({ timeout: 5_000 })));
    const times = starts.filter((s) => s.task === 'insert').map((s) => s.at);
    // The broker limits deliveries; a start comes a moment after its delivery, so allow that skew.
    // No 400 ms window (less the skew) holds more than 5 starts, and 15 need two full windows.
    for (const t of times) expect(times.filter((u) => u >= t && u < t + 400 - 30).length).toBeLessThanOrEqual(5);
    expect((times.at(-1) as number) - (times[0] as number)).toBeGreaterThanOrEqual(800 - 20);
    await app.close();
  });
});
