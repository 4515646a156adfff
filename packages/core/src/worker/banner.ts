import type { WorkerInfo } from '../contracts/workers.js';
import type { Logger } from '../context/logger.js';

/**
 * The line a worker logs at info once it has started (Celery's banner): what it runs and where,
 * in the message for people and as fields for log search.
 */
export function logBanner(logger: Logger, info: WorkerInfo): void {
  const tasks = info.tasks.length <= 10 ? info.tasks.join(', ') : `${info.tasks.slice(0, 10).join(', ')} and ${info.tasks.length - 10} more`;
  logger.info(
    `worker ${info.id} ready: celeriac ${info.version}, store ${info.store}, queues ${info.queues.join(', ')}, concurrency ${info.concurrency} (${info.pool} pool), ${info.tasks.length} task${info.tasks.length === 1 ? '' : 's'}: ${tasks}`,
    { worker: info.id, version: info.version, store: info.store, queues: info.queues, concurrency: info.concurrency, pool: info.pool, tasks: info.tasks },
  );
}
