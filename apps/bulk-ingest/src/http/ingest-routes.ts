import type { TaskHandle } from '@celeriac/core';
import type { FastifyInstance } from 'fastify';
import type { Database } from '@celeriac/sample-support';
import { createBatch, readProgress } from '../ingest/batches.js';
import { enqueueBatch } from '../ingest/enqueue-batch.js';

export const MAX_BATCH = 100_000;

export interface IngestRoutesOptions {
  db: Database;
  insertRow: TaskHandle<[string, number, number], boolean>;
  /** The configured limit, stored with each batch for the progress page. */
  rateLimit: string;
}

/** Body of the `202` answering `POST /ingest`. */
export interface BatchAccepted {
  batchId: string;
  total: number;
  rateLimit: string;
  progressUrl: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const ingestBody = {
  type: 'object',
  required: ['count'],
  additionalProperties: false,
  properties: { count: { type: 'integer', minimum: 1, maximum: MAX_BATCH } },
} as const;

export function registerIngestRoutes(server: FastifyInstance, options: IngestRoutesOptions): void {
  const { db, insertRow, rateLimit } = options;

  server.post<{ Body: { count: number } }>('/ingest', { schema: { body: ingestBody } }, async (request, reply) => {
    const total = request.body.count;
    const batchId = await createBatch(db, total, rateLimit);
    // Answer once every task is in the broker: from then on the batch survives this request
    // (and, on Redis, this process). The inserts themselves run at the limited rate.
    await enqueueBatch(insertRow, batchId, total);
    const progressUrl = `/ingest/${batchId}`;
    const body: BatchAccepted = { batchId, total, rateLimit, progressUrl };
    return reply.code(202).header('location', progressUrl).send(body);
  });

  server.get<{ Params: { batchId: string } }>('/ingest/:batchId', async (request, reply) => {
    const { batchId } = request.params;
    // A malformed id cannot name a batch; checking here also keeps it away from the uuid cast.
    const progress = UUID.test(batchId) ? await readProgress(db, batchId.toLowerCase()) : null;
    if (progress === null) {
      return reply.code(404).send({ statusCode: 404, error: 'Not Found', code: 'BATCH_NOT_FOUND', message: `No batch has id ${JSON.stringify(batchId)}: start one with POST /ingest` });
    }
    return reply.header('cache-control', 'no-store').send(progress);
  });
}
