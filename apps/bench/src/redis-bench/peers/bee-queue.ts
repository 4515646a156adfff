import BeeQueue from 'bee-queue';
import { type Order, type PayloadKind, argument, invoice } from '../payload.js';
import { LATENCY_CONCURRENCY, PEER_BULK_CHUNK, type Peer, type RedisTarget, countdown, expectCount, inChunks, indices, stopwatch } from '../peer.js';

const QUEUE = 'bench';

/** bee-queue has one handler per queue, so the job's data says what it is. */
interface Payload {
  kind: PayloadKind;
  value: number | Order;
}

export class BeeQueuePeer implements Peer {
  readonly name = 'bee-queue';

  constructor(private readonly target: RedisTarget) {}

  async enqueueBulk(n: number, kind: PayloadKind): Promise<number> {
    const queue = await this.#queue({ isWorker: false, getEvents: false });
    try {
      const elapsed = stopwatch();
      const saved = await saveAll(queue, n, kind);
      const seconds = elapsed();
      expectCount(this.name, 'saved jobs', saved, n);
      return seconds;
    } finally {
      await queue.close();
    }
  }

  async process(n: number, concurrency: number, kind: PayloadKind): Promise<number> {
    const producer = await this.#queue({ isWorker: false, getEvents: false });
    const worker = await this.#queue({ isWorker: true, getEvents: false });
    const succeeded = countdown(n);
    try {
      expectCount(this.name, 'saved jobs', await saveAll(producer, n, kind), n);
      // The worker's local 'succeeded' fires once the job's outcome has been written (MULTI done).
      worker.on('succeeded', () => succeeded.tick());
      const elapsed = stopwatch();
      worker.process(concurrency, async (job) => (job.data.kind === '1kb' ? invoice(job.data.value as Order) : null));
      await succeeded.done;
      const seconds = elapsed();
      expectCount(this.name, 'succeeded jobs in Redis', (await producer.checkHealth()).succeeded, n);
      return seconds;
    } finally {
      await worker.close();
      await producer.close();
    }
  }

  async latency(n: number): Promise<number[]> {
    // The producer subscribes to job events so that each job's own 'succeeded' event fires.
    const producer = await this.#queue({ isWorker: false, getEvents: true });
    const worker = await this.#queue({ isWorker: true, getEvents: false });
    try {
      worker.process(LATENCY_CONCURRENCY, async () => null);
      const samples: number[] = [];
      for (let i = 0; i < n; i++) {
        const elapsed = stopwatch();
        const job = await producer.createJob({ kind: 'noop', value: i }).save();
        await new Promise<void>((resolve, reject) => {
          job.once('succeeded', () => resolve());
          job.once('failed', reject);
        });
        samples.push(elapsed() * 1000);
      }
      return samples;
    } finally {
      await worker.close();
      await producer.close();
    }
  }

  async close(): Promise<void> {}

  async #queue(settings: BeeQueue.QueueSettings): Promise<BeeQueue<Payload>> {
    const queue = new BeeQueue<Payload>(QUEUE, { redis: { host: this.target.host, port: this.target.port }, ...settings });
    queue.on('error', (error) => console.error(`bee-queue error: ${error.message}`));
    await queue.ready();
    return queue;
  }
}

/** `n` jobs of a kind through `saveAll`, in chunks; resolves with how many were saved without error. */
function saveAll(queue: BeeQueue<Payload>, n: number, kind: PayloadKind): Promise<number> {
  return inChunks(indices(n), PEER_BULK_CHUNK, async (chunk) => {
    const errors = await queue.saveAll(chunk.map((i) => queue.createJob({ kind, value: argument(kind, i) })));
    return chunk.length - errors.size;
  });
}
