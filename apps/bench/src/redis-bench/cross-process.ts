import { percentile } from '../stats.js';
import type { PeerName, RedisTarget } from './peer.js';
import { RoleProcess, withWorker } from './processes.js';
import type { FollowReport } from './roles/role.js';
import type { PayloadKind } from './payload.js';
import type { Measurement } from './scenarios.js';

/** The worker's concurrency in the steady-arrival and one-at-a-time scenarios. */
export const STEADY_CONCURRENCY = 100;
/** The worker's concurrency in the progress scenario. */
export const PROGRESS_CONCURRENCY = 50;

function latencies(samples: readonly number[]): Measurement {
  return { p50: percentile(samples, 50), p95: percentile(samples, 95), p99: percentile(samples, 99) };
}

/**
 * Tasks arrive at `rate` per second for `seconds` from a producer process, each awaited for its
 * result there, while one worker process at c=100 runs them. Latency from when each task was due to
 * be sent until its producer heard the result; `jobsPerSecond` says whether the rate was sustained.
 */
export async function steadyArrival(peer: PeerName, target: RedisTarget, rate: number, seconds: number, kind: PayloadKind): Promise<Measurement> {
  return withWorker(peer, target, STEADY_CONCURRENCY, async (worker) => {
    worker.send({ type: 'start' });
    await worker.next('started');
    const count = Math.round(rate * seconds);
    const producer = new RoleProcess(peer, 'steady', { rate, count, kind }, target);
    const began = performance.now();
    const samples = await producer.result<number[]>();
    const elapsed = (performance.now() - began) / 1000;
    await producer.exited;
    return { ...latencies(samples), jobsPerSecond: count / elapsed };
  });
}

/** One task at a time from a producer process to a worker process: send, await the result, repeat. */
export async function oneAtATime(peer: PeerName, target: RedisTarget, count: number): Promise<Measurement> {
  return withWorker(peer, target, STEADY_CONCURRENCY, async (worker) => {
    worker.send({ type: 'start' });
    await worker.next('started');
    const producer = new RoleProcess(peer, 'sequential', { count }, target);
    const samples = await producer.result<number[]>();
    await producer.exited;
    return latencies(samples);
  });
}

/**
 * `count` tasks that each report progress 10 times wait in the queue; a follower process listens
 * to all of them; one worker process at c=50 starts. Jobs per second from the worker's start until
 * the follower has heard every task's last update and completion. A follower that missed an update
 * or heard one out of order fails the run for Celeriac (it promises every update, in order) and is
 * reported for the peers.
 */
export async function followedProgress(peer: PeerName, target: RedisTarget, count: number): Promise<Measurement> {
  return withWorker(peer, target, PROGRESS_CONCURRENCY, async (worker) => {
    const follower = new RoleProcess(peer, 'follow', { count }, target);
    await follower.next('ready');
    worker.send({ type: 'start' });
    const { at } = await worker.next('started');
    const report = await follower.result<FollowReport>();
    await follower.exited;
    if (report.incomplete > 0) {
      const message = `${peer}: ${report.incomplete} of ${count} followed tasks had updates missing or out of order`;
      if (peer === 'celeriac') throw new Error(message);
      console.error(`warning: ${message}`);
    }
    return { jobsPerSecond: count / ((report.lastHeardAt - at) / 1000) };
  });
}
