import { DEFAULT_TASK_LIST_RETENTION, type TaskListRetention, type TaskQuery, optionChecker } from '@celeriac/core/adapter';
import { BUILTIN_STATES, type TaskRecord, type TaskState, isTerminal } from '@celeriac/core';

/**
 * The ids in each state, in the order they entered it (newest last), for `listTasks` and
 * `taskCounts`. Live states hold every live task; finished states (SUCCESS, FAILURE, REVOKED)
 * are bounded by count and age (`taskListLimit`, `taskListTtl`): the oldest drop out of the list
 * (their records stay until `resultTtl`). One Map per state, id -> time it entered the state.
 */
export class TaskIndex {
  readonly #byState = new Map<TaskState, Map<string, number>>();
  readonly #limit: number;
  readonly #ttl: number;

  constructor(options: TaskListRetention, where: string) {
    const check = optionChecker(where);
    const d = DEFAULT_TASK_LIST_RETENTION;
    this.#limit = options.taskListLimit === undefined ? d.taskListLimit : check.positiveInt('taskListLimit', options.taskListLimit);
    this.#ttl = options.taskListTtl === undefined ? d.taskListTtl : check.positiveInt('taskListTtl', options.taskListTtl);
  }

  /** Files `id` under its new state (leaving `from`, if it had one). */
  move(id: string, from: TaskState | null, to: TaskState, at: number): void {
    if (from !== null) this.#byState.get(from)?.delete(id);
    let ids = this.#byState.get(to);
    if (ids === undefined) {
      ids = new Map();
      this.#byState.set(to, ids);
    }
    ids.set(id, at);
    // Finished states are bounded by count here, by age when read or swept.
    if (ids.size > this.#limit && isTerminal(to)) ids.delete(ids.keys().next().value as string);
  }

  remove(id: string, state: TaskState): void {
    this.#byState.get(state)?.delete(id);
  }

  counts(now: number): Record<TaskState, number> {
    const counts = {} as Record<TaskState, number>;
    for (const state of BUILTIN_STATES) counts[state] = 0;
    for (const [state, ids] of this.#byState) {
      this.#trim(state, ids, now);
      if (ids.size > 0 || state in counts) counts[state] = ids.size;
    }
    return counts;
  }

  /** The ids of a page, newest first; `record` reads each one's record (to filter by task). */
  page(query: TaskQuery, now: number, record: (id: string) => TaskRecord | null): TaskRecord[] {
    const ids = this.#byState.get(query.state);
    if (ids === undefined) return [];
    this.#trim(query.state, ids, now);
    const all = [...ids.keys()];
    const out: TaskRecord[] = [];
    let skip = query.offset;
    for (let i = all.length - 1; i >= 0 && out.length < query.limit; i--) {
      const found = record(all[i] as string);
      if (found === null || (query.task !== undefined && found.task !== query.task)) continue;
      if (skip > 0) skip--;
      else out.push(found);
    }
    return out;
  }

  /** Drops finished entries older than the list's age bound. */
  sweep(now: number): void {
    for (const [state, ids] of this.#byState) this.#trim(state, ids, now);
  }

  #trim(state: TaskState, ids: Map<string, number>, now: number): void {
    if (!isTerminal(state)) return;
    const oldest = now - this.#ttl;
    for (const [id, at] of ids) {
      if (at > oldest) break;
      ids.delete(id);
    }
  }
}
