import { type Logger, logsAt } from '../context/logger.js';
import type { CeleriacEvents, WorkerTaskEvent } from './event-types.js';
import type { LifecycleEvents } from './lifecycle-events.js';

/** The fields of a task's line: what pino users filter on. */
function taskFields(event: WorkerTaskEvent): Record<string, unknown> {
  return { taskId: event.taskId, task: event.task, attempt: event.attempt, worker: event.worker };
}

/**
 * Logs from the lifecycle events, so the worker itself logs no per-task lines: the store's
 * outages and dead letters at warn, always; one line per task outcome at info (received,
 * succeeded in N ms, retried, revoked), only when the logger writes info: a logger at `warn`
 * (the default) adds no listener, so the task path stays free of them. A final failure is logged
 * at error with its stack by the worker (see execute-task.ts). Returns a function removing them.
 */
export function logLifecycle(events: LifecycleEvents, logger: Logger): () => void {
  const offs = [
    events.on('store-disconnected', (e) => logger.warn(`the store is unreachable${e.error === undefined ? '' : ` (${e.error})`}: tasks wait until it is back`, { error: e.error })),
    events.on('store-reconnected', (e) => logger.warn(`the store is reachable again after ${e.downMs} ms`, { downMs: e.downMs })),
    // Rare, and worth a warning at the default level: a listener only on that path.
    events.on('task-dead-lettered', (e) => logger.warn(`task ${e.task}[${e.taskId}] dead-lettered: ${e.reason}`, { ...taskFields(e), reason: e.reason })),
  ];
  if (logsAt(logger, 'info')) {
    const on = <K extends keyof CeleriacEvents>(name: K, line: (e: CeleriacEvents[K]) => void) => offs.push(events.on(name, line));
    on('task-received', (e) => logger.info(`task ${e.task}[${e.taskId}] received`, { ...taskFields(e), deliveries: e.deliveries }));
    on('task-succeeded', (e) => logger.info(`task ${e.task}[${e.taskId}] succeeded in ${e.runtimeMs} ms`, { ...taskFields(e), runtimeMs: e.runtimeMs }));
    on('task-retried', (e) =>
      logger.info(`task ${e.task}[${e.taskId}] will retry in ${e.countdown} ms${e.error === undefined ? '' : `: ${e.error.message}`}`, { ...taskFields(e), countdown: e.countdown, error: e.error?.message }),
    );
    on('task-revoked', (e) => logger.info(`task ${e.task}[${e.taskId}] revoked (${e.reason})`, { ...taskFields(e), reason: e.reason }));
    on('worker-offline', (e) => logger.info(`worker ${e.worker} closed`, { worker: e.worker }));
  }
  return () => offs.forEach((off) => off());
}
