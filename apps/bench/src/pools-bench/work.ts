import { createHash } from 'node:crypto';
import type { Celeriac } from '@celeriac/core';

/**
 * The CPU-bound work of the benchmark: `rounds` chained SHA-256 hashes, no I/O, no allocation to
 * speak of. Calibrated once per run so one task takes about 5 ms on this machine.
 */
export function hashWork(rounds: number): string {
  let digest: Buffer = Buffer.alloc(1024, 7);
  for (let i = 0; i < rounds; i++) digest = createHash('sha256').update(digest).digest();
  return digest.toString('hex', 0, 8);
}

/** Rounds of `hashWork` that take about `targetMs` here (median of a few timings). */
export function calibrate(targetMs: number): number {
  const probe = 2_000;
  hashWork(probe); // warm up
  const times: number[] = [];
  for (let i = 0; i < 7; i++) {
    const start = process.hrtime.bigint();
    hashWork(probe);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  return Math.max(1, Math.round((probe * targetMs) / (times[3] as number)));
}

export const NOOP_TASK = 'bench.noop';
export const HASH_TASK = 'bench.hash';

/** The benchmark's tasks, registered the same way in the worker and in every runner. */
export function registerBenchTasks(app: Celeriac) {
  return {
    noop: app.task({ name: NOOP_TASK }, (_i: number) => null),
    hash: app.task({ name: HASH_TASK }, (rounds: number) => hashWork(rounds)),
  };
}
