import { DEFAULT_TASK_LIST_RETENTION, type TaskListRetention, type TaskQuery, optionChecker } from '@celeriac/core/adapter';
import { BUILTIN_STATES, type TaskRecord, type TaskState, isTerminal } from '@celeriac/core';

/**
 * `listTasks` and `taskCounts` of the memory store, read from the records themselves when asked:
 * keeping an index up to date would cost every task on the hot path, while an operator's listing
 * is rare, and a scan of one process's records is quick enough for it. Live states list every live
 * task; finished states (SUCCESS, FAILURE, REVOKED) only the newest `taskListLimit` of those that
 * finished within `taskListTtl`, as the Redis store's bounded lists do (the records themselves stay
 * until `resultTtl`).
 */
export class TaskIndex {
  readonly #limit: number;
  readonly #ttl: number;

  constructor(options: TaskListRetention, where: string) {
    const check = optionChecker(where);
    const d = DEFAULT_TASK_LIST_RETENTION;
    this.#limit = options.taskListLimit === undefined ? d.taskListLimit : check.positiveInt('taskListLimit', options.taskListLimit);
    this.#ttl = options.taskListTtl === undefined ? d.taskListTtl : check.positiveInt('taskListTtl', options.taskListTtl);
  }

  counts(records: Iterable<TaskRecord>, now: number): Record<TaskState, number> {
    const counts = {} as Record<TaskState, number>;
    for (const state of BUILTIN_STATES) counts[state] = 0;
    for (const record of records) {
      if (isTerminal(record.state) && record.updatedAt < now - this.#ttl) continue;
      counts[record.state] = (counts[record.state] ?? 0) + 1;
    }
    for (const state of BUILTIN_STATES) if (isTerminal(state)) counts[state] = Math.min(counts[state], this.#limit);
    return counts;
  }

  /** A page of records in one state, newest change first; `queueOf` names a record's queue (`undefined`: unknown). */
  page(query: TaskQuery, records: Iterable<TaskRecord>, now: number, queueOf: (record: TaskRecord) => string | undefined): TaskRecord[] {
    const listed: TaskRecord[] = [];
    for (const record of records) {
      if (record.state !== query.state) continue;
      if (isTerminal(record.state) && record.updatedAt < now - this.#ttl) continue;
      listed.push(record);
    }
    listed.sort((a, b) => b.updatedAt - a.updatedAt);
    // The retention bound applies before the filters, as it does where lists are stored.
    const kept = isTerminal(query.state) ? listed.slice(0, this.#limit) : listed;
    const { task, queue } = query;
    const matching = task === undefined && queue === undefined ? kept : kept.filter((r) => (task === undefined || r.task === task) && (queue === undefined || queueOf(r) === queue));
    return matching.slice(query.offset, query.offset + query.limit);
  }
}
