import { type RateLimitOption, type TaskContext, task } from '@celeriac/core';
import type { Database } from '@celeriac/sample-support';

export const INSERT_TASK = 'ingest.insertRow';

export interface IngestTaskSettings {
  /** Inserts started per second/minute across every worker sharing the broker, e.g. `'500/s'`. */
  rateLimit: RateLimitOption;
  /** Delay before the first retry of a failed insert; doubles on each next one. */
  retryDelayMs: number;
}

/** Attempts after the first, per row. */
export const INSERT_RETRIES = 3;

/**
 * The tasks class is made per app because decorator options are fixed when a class is defined,
 * and the rate limit comes from configuration (`INGEST_RATE`, or a low one in tests).
 */
export function defineIngestTasks(settings: IngestTaskSettings) {
  class IngestTasks {
    constructor(readonly db: Database) {}

    /**
     * One row. Delivery is at-least-once (a worker can die after the insert and before the
     * acknowledgement), so the row's key makes a second delivery a no-op rather than a duplicate.
     * Resolves false when the row was already there.
     */
    @task({ name: INSERT_TASK, bind: true, rateLimit: settings.rateLimit, retries: INSERT_RETRIES, backoff: { type: 'exponential', delay: settings.retryDelayMs } })
    async insertRow(ctx: TaskContext, batchId: string, seq: number, value: number): Promise<boolean> {
      try {
        const { rows } = await this.db.query(
          `INSERT INTO ingested_rows (batch_id, seq, value) VALUES ($1, $2, $3)
           ON CONFLICT (batch_id, seq) DO NOTHING
           RETURNING seq`,
          [batchId, seq, value],
        );
        return rows.length > 0;
      } catch (error) {
        // Only the last attempt counts as failed: earlier ones will be retried.
        if (ctx.attempt > ctx.retries) await recordFailure(this.db, ctx, batchId, seq, error);
        throw error;
      }
    }
  }
  return IngestTasks;
}

async function recordFailure(db: Database, ctx: TaskContext, batchId: string, seq: number, error: unknown): Promise<void> {
  const message = error instanceof Error ? error.message : String(error);
  try {
    await db.query('INSERT INTO ingest_failures (batch_id, seq, error) VALUES ($1, $2, $3) ON CONFLICT (batch_id, seq) DO NOTHING', [batchId, seq, message]);
  } catch (recordError) {
    // The database may be what failed; the task's own FAILURE record still holds the error.
    ctx.logger.error(`could not record the failure of row ${seq} of batch ${batchId}`, { error: String(recordError) });
  }
}
