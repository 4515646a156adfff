import type { TaskStore } from '../contracts/task-store.js';
import type { Logger } from '../context/logger.js';
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { serializeError } from '../errors/serialize-error.js';
import { optionChecker } from '../options/task-options.js';
import type { Schedule } from './schedule-options.js';
import { readClock, scheduleKey } from './schedule-clock.js';

export interface SchedulerOptions {
  /**
   * Runs missed while no scheduler was up: `'skip'` them (the next on-time run happens as usual),
   * or run the task `'once'` for all of them. @defaultValue `'skip'`
   */
  catchUp?: 'skip' | 'once';
  /** How often to look for due runs, in ms. @defaultValue `1_000` */
  tick?: number;
  /** A run this late is still on time (not "missed"). @defaultValue twice the tick */
  grace?: number;
}

export const DEFAULT_SCHEDULER_OPTIONS = { catchUp: 'skip', tick: 1_000 } as const;

/** What a scheduler needs from its app. */
export interface SchedulerSource {
  schedules(): readonly Schedule[];
  store(): Promise<TaskStore>;
  /** Enqueue a run under a fixed id; resolves false if that id was already used. */
  enqueue(schedule: Schedule, taskId: string): Promise<boolean>;
  readonly logger: Logger;
}

/**
 * Enqueues periodic runs. Any number may run (one per app instance): each due run is enqueued
 * exactly once across all of them, because
 * - a run's task id is derived from the schedule and the run time, and enqueueing an id that
 *   exists is refused by the state machine (PENDING only from "no record"), and
 * - the last run time is advanced with compare-and-set in the store, which also makes
 *   it survive restarts.
 * Enqueue comes first, then the compare-and-set, so a crash in between re-tries the same id.
 */
export class Scheduler {
  readonly options: Required<SchedulerOptions>;
  readonly #source: SchedulerSource;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #closed = false;

  constructor(source: SchedulerSource, options: SchedulerOptions = {}) {
    const check = optionChecker('app.scheduler()');
    check.unknownKeys(options, new Set(['catchUp', 'tick', 'grace']));
    if (options.catchUp !== undefined && options.catchUp !== 'skip' && options.catchUp !== 'once') {
      check.fail('catchUp', `must be "skip" or "once", got ${JSON.stringify(options.catchUp)}`);
    }
    const tick = options.tick === undefined ? DEFAULT_SCHEDULER_OPTIONS.tick : check.timerMs('tick', options.tick);
    this.options = {
      catchUp: options.catchUp ?? DEFAULT_SCHEDULER_OPTIONS.catchUp,
      tick,
      grace: options.grace === undefined ? 2 * tick : check.timerMs('grace', options.grace),
    };
    this.#source = source;
  }

  async start(): Promise<void> {
    if (this.#source.schedules().length === 0) {
      throw new InvalidOptionError('app.scheduler()', 'schedules', 'has nothing to schedule: add @schedule() to a task or call app.schedule()');
    }
    await this.tick();
    this.#arm();
  }

  /** Looks for due runs once. The timer calls this; tests may too. */
  tick(): Promise<void> {
    this.#running ??= this.#tickAll().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    await this.#running;
  }

  #arm(): void {
    if (this.#closed) return;
    this.#timer = setTimeout(() => {
      void this.tick().finally(() => this.#arm());
    }, this.options.tick);
    this.#timer.unref?.();
  }

  async #tickAll(): Promise<void> {
    const store = await this.#source.store();
    for (const schedule of this.#source.schedules()) {
      try {
        await this.#tickOne(store, schedule, Date.now());
      } catch (error) {
        this.#source.logger.error(`schedule ${schedule.name} failed to tick; will try again`, { error: serializeError(error).message });
      }
    }
  }

  async #tickOne(store: TaskStore, schedule: Schedule, now: number): Promise<void> {
    const key = scheduleKey(schedule.name);
    const stored = await store.getValue(key);
    if (stored === null) {
      // First sight of this schedule anywhere: its clock starts now; the first run is the next due time.
      await store.compareAndSet(key, null, String(now));
      return;
    }
    // Paused: nothing is enqueued and the clock stands; on resume, runs missed meanwhile follow `catchUp`.
    const { last, paused } = readClock(stored);
    if (paused) return;
    let newest = schedule.nextAfter(last);
    if (!(newest <= now)) return;
    let due = 1;
    for (let next = schedule.nextAfter(newest); next <= now && due < 100_000; next = schedule.nextAfter(newest)) {
      newest = next;
      due++;
    }
    const onTime = due === 1 && now - newest <= this.options.grace;
    if (onTime || this.options.catchUp === 'once') {
      const fresh = await this.#source.enqueue(schedule, `sched:${schedule.name}:${newest}`);
      if (fresh) this.#source.logger.info(`enqueued ${schedule.task} for ${new Date(newest).toISOString()}`, { schedule: schedule.name, missed: onTime ? 0 : due });
    } else {
      this.#source.logger.info(`skipped ${due} missed run(s) of ${schedule.name}`, { schedule: schedule.name });
    }
    await store.compareAndSet(key, stored, String(newest));
  }
}

/**
 * A scheduler's `enqueue` over `app.send`: a run's id is fixed, so an id already in use means
 * another scheduler enqueued this run (false), not an error.
 */
export function enqueueScheduledRun(send: (task: string, args: unknown[], options: { taskId: string }) => Promise<unknown>): SchedulerSource['enqueue'] {
  return async (schedule, taskId) => {
    try {
      await send(schedule.task, schedule.args, { taskId });
      return true;
    } catch (error) {
      if (error instanceof InvalidOptionError && error.option === 'taskId') return false;
      throw error;
    }
  };
}
