import { type Job, Queue, QueueEvents, Worker } from 'bullmq';
import { type Order, argument, invoice } from '../payload.js';
import type { RedisTarget } from '../peer.js';
import { PROGRESS_UPDATES, type Roles, epochMs, inOrder, paced } from './role.js';

const QUEUE = 'bench';

export function bullmqRoles(target: RedisTarget): Roles {
  // Workers and event readers block on their connection, which BullMQ requires to retry forever.
  const connection = { host: target.host, port: target.port, maxRetriesPerRequest: null };
  const queue = async () => {
    const q = new Queue(QUEUE, { connection });
    q.on('error', (error) => console.error(`bullmq queue error: ${error.message}`));
    await q.waitUntilReady();
    return q;
  };
  const events = async () => {
    // From the stream's start (Redis is flushed before every run): by default a QueueEvents reads
    // from its first XREAD on, which a job added right after waitUntilReady() can beat.
    const e = new QueueEvents(QUEUE, { connection, lastEventId: '0-0' });
    await e.waitUntilReady();
    return e;
  };
  return {
    async worker(concurrency) {
      // The job's name says what it is, as an app with several job kinds on one queue does.
      const processor = async (job: Job) => {
        if (job.name === '1kb') return invoice(job.data as Order);
        if (job.name === 'progress') for (let n = 1; n <= PROGRESS_UPDATES; n++) await job.updateProgress(n);
        return null;
      };
      const worker = new Worker(QUEUE, processor, { connection, concurrency, autorun: false });
      worker.on('error', (error) => console.error(`bullmq worker error: ${error.message}`));
      await worker.waitUntilReady();
      return {
        start: async () => void worker.run(),
        close: () => worker.close(),
      };
    },
    async steady(rate, count, kind) {
      const [q, e] = await Promise.all([queue(), events()]);
      const finished = completions(e);
      try {
        return await paced(rate, count, async (i, dueAt) => {
          const job = await q.add(kind, kind === 'noop' ? { i } : argument(kind, i));
          await finished(String(job.id));
          return epochMs() - dueAt;
        });
      } finally {
        await e.close();
        await q.close();
      }
    },
    async sequential(count) {
      const [q, e] = await Promise.all([queue(), events()]);
      const finished = completions(e);
      try {
        const samples: number[] = [];
        for (let i = 0; i < count; i++) {
          const sentAt = epochMs();
          await finished(String((await q.add('noop', { i })).id));
          samples.push(epochMs() - sentAt);
        }
        return samples;
      } finally {
        await e.close();
        await q.close();
      }
    },
    async follow(count) {
      const q = await queue();
      const jobs = await q.addBulk(Array.from({ length: count }, (_, i) => ({ name: 'progress', data: { i } })));
      const heard = new Map<string, number[]>(jobs.map((job) => [String(job.id), []]));
      const e = await events();
      let left = count;
      let incomplete = 0;
      const done = new Promise<{ lastHeardAt: number; incomplete: number }>((resolve) => {
        e.on('progress', ({ jobId, data }) => heard.get(jobId)?.push(Number(data)));
        e.on('completed', ({ jobId }) => {
          if (!inOrder(heard.get(jobId) ?? [])) incomplete++;
          if (--left === 0) resolve({ lastHeardAt: epochMs(), incomplete });
        });
      });
      const close = async () => {
        await e.close();
        await q.close();
      };
      return { ready: Promise.resolve(), done: done.finally(close) };
    },
  };
}

/**
 * Awaits jobs' completion through one QueueEvents listener: `job.waitUntilFinished` adds two
 * listeners per job, which with thousands in flight costs BullMQ more than the jobs themselves (an
 * app at this rate would do what this does). A completion heard before its job's add() returned is
 * kept until asked for.
 */
function completions(events: QueueEvents): (jobId: string) => Promise<void> {
  const waiting = new Map<string, () => void>();
  const early = new Set<string>();
  events.on('completed', ({ jobId }) => {
    const resolve = waiting.get(jobId);
    if (resolve === undefined) early.add(jobId);
    else {
      waiting.delete(jobId);
      resolve();
    }
  });
  return (jobId) => {
    if (early.delete(jobId)) return Promise.resolve();
    return new Promise((resolve) => waiting.set(jobId, resolve));
  };
}
