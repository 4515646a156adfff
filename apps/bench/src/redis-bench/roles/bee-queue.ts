import BeeQueue from 'bee-queue';
import { type Order, type PayloadKind, argument, invoice } from '../payload.js';
import type { RedisTarget } from '../peer.js';
import { PROGRESS_UPDATES, type Roles, type TaskKind, epochMs, inOrder, paced } from './role.js';

const QUEUE = 'bench';

/** bee-queue has one handler per queue, so the job's data says what it is. */
interface Payload {
  kind: TaskKind;
  value: number | Order;
}

export function beeQueueRoles(target: RedisTarget): Roles {
  const open = async (settings: BeeQueue.QueueSettings) => {
    const queue = new BeeQueue<Payload>(QUEUE, { redis: { host: target.host, port: target.port }, ...settings });
    queue.on('error', (error) => console.error(`bee-queue error: ${error.message}`));
    await queue.ready();
    return queue;
  };
  // The producer subscribes to job events so that each job's own 'succeeded' event fires.
  const producer = () => open({ isWorker: false, getEvents: true });
  /**
   * Saves a job and resolves once the queue hears it succeeded. Through the queue-wide event, not
   * the job's own: the job object only hears events once its save has returned, and a fast worker's
   * event can arrive before that reply (it would be lost and the wait never end).
   */
  const sender = (queue: BeeQueue<Payload>) => {
    const waiting = new Map<string, () => void>();
    const early = new Set<string>();
    queue.on('job succeeded', (jobId: string) => {
      const resolve = waiting.get(jobId);
      if (resolve === undefined) early.add(jobId);
      else {
        waiting.delete(jobId);
        resolve();
      }
    });
    return async (kind: PayloadKind, i: number) => {
      const data: Payload = { kind, value: argument(kind, i) };
      const { id } = await queue.createJob(data).save();
      if (!early.delete(id)) await new Promise<void>((resolve) => waiting.set(id, resolve));
    };
  };
  return {
    async worker(concurrency) {
      const queue = await open({ isWorker: true, getEvents: false });
      return {
        start: async () => {
          queue.process(concurrency, async (job) => {
            if (job.data.kind === '1kb') return invoice(job.data.value as Order);
            if (job.data.kind === 'progress') for (let n = 1; n <= PROGRESS_UPDATES; n++) await job.reportProgress(n);
            return null;
          });
        },
        close: () => queue.close(),
      };
    },
    async steady(rate, count, kind) {
      const queue = await producer();
      const send = sender(queue);
      try {
        return await paced(rate, count, async (i, dueAt) => {
          await send(kind, i);
          return epochMs() - dueAt;
        });
      } finally {
        await queue.close();
      }
    },
    async sequential(count) {
      const queue = await producer();
      const send = sender(queue);
      try {
        const samples: number[] = [];
        for (let i = 0; i < count; i++) {
          const sentAt = epochMs();
          await send('noop', i);
          samples.push(epochMs() - sentAt);
        }
        return samples;
      } finally {
        await queue.close();
      }
    },
    async follow(count) {
      const queue = await producer();
      const jobs = Array.from({ length: count }, (_, i) => {
        const data: Payload = { kind: 'progress', value: i };
        return queue.createJob(data);
      });
      const errors = await queue.saveAll(jobs);
      if (errors.size > 0) throw new Error(`bee-queue: ${errors.size} jobs not saved`);
      const heard = new Map<string, number[]>(jobs.map((job) => [job.id, []]));
      let left = count;
      let incomplete = 0;
      const done = new Promise<{ lastHeardAt: number; incomplete: number }>((resolve) => {
        queue.on('job progress', (jobId: string, progress: unknown) => heard.get(jobId)?.push(Number(progress)));
        queue.on('job succeeded', (jobId: string) => {
          if (!inOrder(heard.get(jobId) ?? [])) incomplete++;
          if (--left === 0) resolve({ lastHeardAt: epochMs(), incomplete });
        });
      });
      return { ready: Promise.resolve(), done: done.finally(() => queue.close()) };
    },
  };
}
