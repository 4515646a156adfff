import { DEFAULT_TASK_LIST_RETENTION, type TaskListRetention, type TaskQuery, optionChecker } from '@celeriac/core/adapter';
import { BUILTIN_STATES, type TaskRecord, type TaskState, isTerminal } from '@celeriac/core';
import { FinishedList } from './finished-list.js';

/**
 * The ids in each state, for `listTasks` and `taskCounts`. Live states hold every live task (a
 * Map per state, in the order they entered it); finished states (SUCCESS, FAILURE, REVOKED) are
 * bounded by count and age (`taskListLimit`, `taskListTtl`): the oldest drop out of the list
 * (their records stay until `resultTtl`).
 */
export class TaskIndex {
  readonly #live = new Map<TaskState, Map<string, number>>();
  readonly #finished = new Map<TaskState, FinishedList>();
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
    if (from !== null) this.remove(id, from);
    if (isTerminal(to)) {
      let list = this.#finished.get(to);
      if (list === undefined) {
        list = new FinishedList();
        this.#finished.set(to, list);
      }
      list.add(id, at, this.#limit);
      return;
    }
    let ids = this.#live.get(to);
    if (ids === undefined) {
      ids = new Map();
      this.#live.set(to, ids);
    }
    ids.set(id, at);
  }

  remove(id: string, state: TaskState): void {
    if (isTerminal(state)) this.#finished.get(state)?.delete(id);
    else this.#live.get(state)?.delete(id);
  }

  counts(now: number): Record<TaskState, number> {
    const counts = {} as Record<TaskState, number>;
    for (const state of BUILTIN_STATES) counts[state] = 0;
    for (const [state, ids] of this.#live) if (ids.size > 0 || state in counts) counts[state] = ids.size;
    for (const [state, list] of this.#finished) {
      list.trim(now - this.#ttl);
      counts[state] = list.size;
    }
    return counts;
  }

  /** A page of records, newest first; `record` reads each one's record (to filter by task). */
  page(query: TaskQuery, now: number, record: (id: string) => TaskRecord | null): TaskRecord[] {
    const out: TaskRecord[] = [];
    let skip = query.offset;
    for (const id of this.#newestFirst(query.state, now)) {
      if (out.length >= query.limit) break;
      const found = record(id);
      if (found === null || (query.task !== undefined && found.task !== query.task)) continue;
      if (skip > 0) skip--;
      else out.push(found);
    }
    return out;
  }

  /** Drops finished entries older than the lists' age bound. */
  sweep(now: number): void {
    for (const list of this.#finished.values()) list.trim(now - this.#ttl);
  }

  #newestFirst(state: TaskState, now: number): Iterable<string> {
    if (isTerminal(state)) {
      const list = this.#finished.get(state);
      if (list === undefined) return [];
      list.trim(now - this.#ttl);
      return list.newestFirst();
    }
    return [...(this.#live.get(state)?.keys() ?? [])].reverse();
  }
}
