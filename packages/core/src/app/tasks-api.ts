import type { TaskView } from '../contracts/admin.js';
import type { TaskRecord } from '../contracts/record.js';
import type { TaskStore } from '../contracts/task-store.js';
import { show } from '../internal/show.js';
import { type TaskState, TaskStates } from '../state/states.js';

/** What `app.tasks.list()` returns. */
export interface TaskListOptions {
  state: TaskState;
  /** Only tasks of this name. */
  task?: string;
  /** Only tasks sent to this queue (an unknown queue lists nothing). */
  queue?: string;
  /** @defaultValue `100` */
  limit?: number;
  /** @defaultValue `0` */
  offset?: number;
}

/** One page of `app.tasks.list()`, newest change first. */
export interface TaskPage {
  tasks: TaskRecord[];
  /** The `offset` of the next page, or `null` if this was the last. */
  next: number | null;
}

const PAGE = 100;
const MAX_PAGE = 10_000;
/** How many failures `retryFailed` reads at once. */
const RETRY_PAGE = 500;

/**
 * `app.tasks`: tasks by state, one task's full view, and retries of failed ones. Live tasks are
 * all listed; finished ones as long as the store retains them in its lists (count and age per
 * state: the store's `taskListLimit` and `taskListTtl`). Revoke stays `app.revoke(id)`.
 */
export class Tasks {
  readonly #store: () => Promise<TaskStore>;

  constructor(store: () => Promise<TaskStore>) {
    this.#store = store;
  }

  /** How many tasks are in each state (every built-in state is present, 0 if none). */
  async counts(): Promise<Record<TaskState, number>> {
    return (await this.#store()).taskCounts();
  }

  /** A page of tasks in one state, newest change first. */
  async list(options: TaskListOptions): Promise<TaskPage> {
    if (typeof options !== 'object' || options === null) throw new TypeError(`tasks.list(): expected { state, task?, queue?, limit?, offset? }, got ${show(options)}`);
    const { state, task, queue } = options;
    const limit = options.limit ?? PAGE;
    const offset = options.offset ?? 0;
    if (typeof state !== 'string' || state.length === 0) throw new TypeError(`tasks.list(): state must be a task state such as "FAILURE", got ${show(state)}`);
    if (task !== undefined && (typeof task !== 'string' || task.length === 0)) throw new TypeError(`tasks.list(): task must be a task name, got ${show(task)}`);
    if (queue !== undefined && (typeof queue !== 'string' || queue.length === 0)) throw new TypeError(`tasks.list(): queue must be a queue name, got ${show(queue)}`);
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_PAGE) throw new TypeError(`tasks.list(): limit must be an integer from 1 to ${MAX_PAGE}, got ${show(limit)}`);
    if (!Number.isSafeInteger(offset) || offset < 0) throw new TypeError(`tasks.list(): offset must be a non-negative integer, got ${show(offset)}`);
    // One more than asked, to know whether another page follows.
    const found = await (await this.#store()).listTasks({ state, ...(task === undefined ? {} : { task }), ...(queue === undefined ? {} : { queue }), limit: limit + 1, offset });
    const more = found.length > limit;
    return { tasks: more ? found.slice(0, limit) : found, next: more ? offset + limit : null };
  }

  /** Everything known of a task: record, arguments, queue, timeline (who ran each attempt, when). `null` if unknown. */
  async view(id: string): Promise<TaskView | null> {
    checkId('view', id);
    return (await this.#store()).viewTask(id);
  }

  /**
   * Runs a FAILURE task again, as a new attempt with its original arguments (its record goes
   * back to PENDING, its history kept). Resolves false if the task is not FAILURE or its message
   * is no longer kept. Its workflow does not resume: steps after it were already ended.
   */
  async retry(id: string): Promise<boolean> {
    checkId('retry', id);
    return (await this.#store()).retryTask(id);
  }

  /** Retries every listed FAILURE of a task name (as `retry`); resolves with how many went back. */
  async retryFailed(task: string): Promise<number> {
    if (typeof task !== 'string' || task.length === 0) throw new TypeError(`tasks.retryFailed(): expected a task name, got ${show(task)}`);
    const store = await this.#store();
    // Each retry takes its task out of the FAILURE list, so the front is read again; one that
    // fails again meanwhile is retried once, not forever.
    // A failure that cannot be retried (its message no longer kept) stays: the next read starts after those.
    const seen = new Set<string>();
    let retried = 0;
    let kept = 0;
    for (;;) {
      const page = await store.listTasks({ state: TaskStates.FAILURE, task, limit: RETRY_PAGE, offset: kept });
      const fresh = page.filter((r) => !seen.has(r.id));
      if (fresh.length === 0) return retried;
      for (const record of fresh) {
        seen.add(record.id);
        if (await store.retryTask(record.id)) retried++;
        else kept++;
      }
    }
  }
}

function checkId(method: string, id: unknown): void {
  if (typeof id !== 'string' || id.length === 0) throw new TypeError(`tasks.${method}(): expected a task id, got ${show(id)}`);
}
