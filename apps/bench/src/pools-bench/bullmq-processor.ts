/** BullMQ's sandboxed processor for the pools benchmark: the same work as Celeriac's tasks. */
import type { Job } from 'bullmq';
import { HASH_TASK, hashWork } from './work.js';

export default async function process(job: Job<{ i?: number; rounds?: number }>): Promise<string | null> {
  return job.name === HASH_TASK ? hashWork(job.data.rounds ?? 0) : null;
}
