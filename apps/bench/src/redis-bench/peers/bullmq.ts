import { type Job, Queue, QueueEvents, Worker } from 'bullmq';
import { type Order, type PayloadKind, argument, invoice } from '../payload.js';
import { LATENCY_CONCURRENCY, PEER_BULK_CHUNK, type Peer, type RedisTarget, countdown, expectCount, inChunks, indices, stopwatch } from '../peer.js';

const QUEUE = 'bench';

export class BullmqPeer implements Peer {
  readonly name = 'bullmq';

  constructor(private readonly target: RedisTarget) {}

  async enqueueBulk(n: number, kind: PayloadKind): Promise<number> {
    const queue = await this.#queue();
    try {
      const elapsed = stopwatch();
      const added = await addAll(queue, n, kind);
      const seconds = elapsed();
      expectCount(this.name, 'added jobs', added, n);
      return seconds;
    } finally {
      await queue.close();
    }
  }

  async process(n: number, concurrency: number, kind: PayloadKind): Promise<number> {
    const queue = await this.#queue();
    const completed = countdown(n);
    const worker = this.#worker(concurrency);
    try {
      expectCount(this.name, 'added jobs', await addAll(queue, n, kind), n);
      // 'completed' is emitted once the job has been moved to completed, its return value stored.
      worker.on('completed', () => completed.tick());
      await worker.waitUntilReady();
      const elapsed = stopwatch();
      const running = worker.run();
      await completed.done;
      const seconds = elapsed();
      await worker.close();
      await running;
      expectCount(this.name, 'completed jobs in Redis', await queue.getCompletedCount(), n);
      return seconds;
    } finally {
      await worker.close();
      await queue.close();
    }
  }

  async latency(n: number): Promise<number[]> {
    const queue = await this.#queue();
    const events = new QueueEvents(QUEUE, { connection: this.#connection() });
    const worker = this.#worker(LATENCY_CONCURRENCY);
    try {
      await events.waitUntilReady();
      await worker.waitUntilReady();
      void worker.run();
      const samples: number[] = [];
      for (let i = 0; i < n; i++) {
        const elapsed = stopwatch();
        const job = await queue.add('noop', { i });
        await job.waitUntilFinished(events);
        samples.push(elapsed() * 1000);
      }
      return samples;
    } finally {
      await worker.close();
      await events.close();
      await queue.close();
    }
  }

  async close(): Promise<void> {}

  #connection() {
    // Workers and event readers block on their connection, which BullMQ requires to retry forever.
    return { host: this.target.host, port: this.target.port, maxRetriesPerRequest: null };
  }

  async #queue(): Promise<Queue> {
    const queue = new Queue(QUEUE, { connection: this.#connection() });
    queue.on('error', (error) => console.error(`bullmq queue error: ${error.message}`));
    await queue.waitUntilReady();
    return queue;
  }

  #worker(concurrency: number): Worker {
    // The job's name says what it is, as an app with several job kinds on one queue does.
    const processor = async (job: Job) => (job.name === '1kb' ? invoice(job.data as Order) : null);
    const worker = new Worker(QUEUE, processor, { connection: this.#connection(), concurrency, autorun: false });
    worker.on('error', (error) => console.error(`bullmq worker error: ${error.message}`));
    return worker;
  }
}

/** `n` jobs of a kind through `addBulk`, in chunks. */
function addAll(queue: Queue, n: number, kind: PayloadKind): Promise<number> {
  const data = (i: number) => (kind === 'noop' ? { i } : argument(kind, i));
  return inChunks(indices(n), PEER_BULK_CHUNK, async (chunk) => (await queue.addBulk(chunk.map((i) => ({ name: kind, data: data(i) })))).length);
}
