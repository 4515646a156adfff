import type { PayloadKind } from './payload.js';

/** Where every peer connects: one redis-server for the whole run. */
export interface RedisTarget {
  readonly url: string;
  readonly host: string;
  readonly port: number;
}

export const PEER_NAMES = ['celeriac', 'bullmq', 'bee-queue'] as const;
export type PeerName = (typeof PEER_NAMES)[number];

/**
 * One task queue library under test. Each call sets up its own queues, workers and connections,
 * times only the part it is named after, and closes what it opened before resolving, so runs do
 * not share state (the runner flushes Redis between them).
 */
export interface Peer {
  readonly name: PeerName;
  /** Enqueues `n` tasks of a kind with the library's own bulk API; resolves with the seconds it took. */
  enqueueBulk(n: number, kind: PayloadKind): Promise<number>;
  /**
   * With `n` tasks of a kind already waiting (enqueued untimed), runs one worker at `concurrency`
   * in this process; resolves with the seconds from worker start until all `n` are complete with
   * their results stored.
   */
  process(n: number, concurrency: number, kind: PayloadKind): Promise<number>;
  /** `n` sequential enqueue-to-result round trips with a worker running; resolves with each one in ms. */
  latency(n: number): Promise<number[]>;
  /** Releases anything kept between calls. */
  close(): Promise<void>;
}

/** Concurrency of the worker answering the latency scenario, the same for every peer. */
export const LATENCY_CONCURRENCY = 1;

/** Starts a clock; the returned function reads the seconds elapsed. */
export function stopwatch(): () => number {
  const start = process.hrtime.bigint();
  return () => Number(process.hrtime.bigint() - start) / 1e9;
}

/** A promise resolved by calling `done()` once `count()` has been called `n` times. */
export function countdown(n: number): { tick(): void; readonly done: Promise<void>; readonly count: number } {
  let resolve!: () => void;
  const done = new Promise<void>((r) => {
    resolve = r;
  });
  let count = 0;
  if (n === 0) resolve();
  return {
    tick() {
      if (++count === n) resolve();
    },
    done,
    get count() {
      return count;
    },
  };
}

/** Throws unless `actual === expected`: a run that lost or skipped tasks must not produce a figure. */
export function expectCount(peer: PeerName, what: string, actual: number, expected: number): void {
  if (actual !== expected) throw new Error(`${peer}: expected ${expected} ${what}, found ${actual}`);
}

/**
 * Jobs per bulk call for BullMQ and bee-queue: one call with all 20,000 is slower for both (it
 * builds one huge MULTI or batch), so each gets its best measured chunk size. Celeriac's `bulk()`
 * splits by itself (`maxBatch`).
 */
export const PEER_BULK_CHUNK = 1_000;

/** Calls `add` on consecutive slices of `items`, one after the other; resolves with the total added. */
export async function inChunks<T>(items: readonly T[], size: number, add: (chunk: T[]) => Promise<number>): Promise<number> {
  let added = 0;
  for (let start = 0; start < items.length; start += size) added += await add(items.slice(start, start + size));
  return added;
}

/** 0, 1, …, n-1: the payload of the benchmark's no-op tasks. */
export function indices(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
