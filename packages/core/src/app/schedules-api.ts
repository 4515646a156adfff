import type { TaskStore } from '../contracts/task-store.js';
import { show } from '../internal/show.js';
import type { Schedule } from '../schedule/schedule-options.js';
import { readClock, scheduleKey, setPaused } from '../schedule/schedule-clock.js';

/** One periodic task as `app.schedules.list()` shows it. */
export interface ScheduleInfo {
  /** The schedule's name (its stored state's key: stable across deploys). */
  name: string;
  task: string;
  /** e.g. `every 60000 ms` or `cron "0 3 * * *" (UTC)`. */
  describe: string;
  /** When it runs next (in the past if no scheduler has run since), or `null` while paused (or if it never runs again). */
  nextRunAt: number | null;
  /** The time of the last run the schedulers handled (enqueued, or skipped as missed), or `null` if none yet. */
  lastRunAt: number | null;
  /** A paused schedule's schedulers enqueue nothing until it is resumed. */
  paused: boolean;
}

/**
 * `app.schedules`: this app's periodic tasks with their state in the store, shared by every
 * scheduler of the app. Pausing is stored, so every scheduler process sees it.
 */
export class Schedules {
  readonly #schedules: () => readonly Schedule[];
  readonly #store: () => Promise<TaskStore>;

  constructor(schedules: () => readonly Schedule[], store: () => Promise<TaskStore>) {
    this.#schedules = schedules;
    this.#store = store;
  }

  async list(): Promise<ScheduleInfo[]> {
    const store = await this.#store();
    const now = Date.now();
    return Promise.all(
      this.#schedules().map(async (schedule): Promise<ScheduleInfo> => {
        const stored = await store.getValue(scheduleKey(schedule.name));
        const clock = stored === null ? { last: now, paused: false } : readClock(stored);
        const next = schedule.nextAfter(clock.last);
        // The clock starts when a scheduler first sees the schedule, which need not be a run time.
        const ran = stored !== null && schedule.nextAfter(clock.last - 1) === clock.last;
        return {
          name: schedule.name,
          task: schedule.task,
          describe: schedule.describe,
          nextRunAt: clock.paused || !Number.isFinite(next) ? null : next,
          lastRunAt: ran ? clock.last : null,
          paused: clock.paused,
        };
      }),
    );
  }

  /** Stops every scheduler of this app from enqueueing the schedule until `resume`. */
  async pause(name: string): Promise<void> {
    await setPaused(await this.#store(), this.#known(name, 'pause'), true, Date.now());
  }

  /** Resumes a paused schedule; runs missed while paused follow the scheduler's `catchUp`. */
  async resume(name: string): Promise<void> {
    await setPaused(await this.#store(), this.#known(name, 'resume'), false, Date.now());
  }

  #known(name: string, method: string): string {
    const names = this.#schedules().map((s) => s.name);
    if (!names.includes(name)) {
      throw new TypeError(`schedules.${method}(): no schedule is named ${show(name)} (known: ${names.length === 0 ? 'none' : names.join(', ')})`);
    }
    return name;
  }
}
