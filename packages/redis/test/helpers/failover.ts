import type { AsyncResult, Celeriac } from '@celeriac/core';

/** One task sent by a {@link Producer}: its number, and its result once the enqueue was acknowledged. */
export interface Sent {
  readonly n: number;
  readonly result: AsyncResult<{ n: number }>;
}

/**
 * Sends `test.echo(n, ms)` tasks in small batches, one batch after the other, until stopped: the
 * steady stream of a producer during a failover. Keeps apart the enqueues that were acknowledged
 * (resolved) and those that were not (rejected: the master was gone, or, with `durable`, not
 * confirmed on a replica), so a test can hold the acknowledged ones to their word.
 */
export class Producer {
  readonly acknowledged: Sent[] = [];
  readonly refused: unknown[] = [];
  #next = 0;
  #stopped = false;
  readonly #running: Promise<void>;

  constructor(app: Celeriac, taskMs: number, batch = 5) {
    this.#running = (async () => {
      while (!this.#stopped) {
        const numbers = Array.from({ length: batch }, () => this.#next++);
        const sends = await Promise.allSettled(numbers.map((n) => app.send<{ n: number }>('test.echo', [n, taskMs])));
        sends.forEach((sent, i) => {
          if (sent.status === 'fulfilled') this.acknowledged.push({ n: numbers[i] as number, result: sent.value });
          else this.refused.push(sent.reason);
        });
        // Pace the stream a little, so the workers keep up with it between failovers.
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
  }

  /** Acknowledged enqueues so far. */
  get count(): number {
    return this.acknowledged.length;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#running;
  }
}

/** Counts outcomes as they settle, so a test can disrupt Redis once some work is done. */
export class Settled {
  count = 0;

  track<T>(promise: Promise<T>): Promise<T> {
    return promise.finally(() => {
      this.count++;
    });
  }
}
