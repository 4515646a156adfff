import { Cron } from 'croner';
import { optionChecker, show } from '../options/task-options.js';

/** When a periodic task runs: a fixed interval, or a cron expression in a time zone. */
export interface ScheduleOptions {
  /** Run every this many ms, at multiples of it since the epoch (so every process agrees when). */
  every?: number;
  /** A cron expression (5 or 6 fields, seconds first when 6), e.g. `'0 3 * * *'`. */
  cron?: string;
  /** IANA time zone for `cron`. @defaultValue `'UTC'` */
  timezone?: string;
  /** Arguments for each run. @defaultValue `[]` */
  args?: unknown[];
  /** Identifies the schedule's stored state; keep it stable across deploys. @defaultValue the task name (+ `:n` for the n-th schedule of a task) */
  name?: string;
}

/** A validated schedule: which task, with what, and when next. */
export interface Schedule {
  readonly name: string;
  readonly task: string;
  readonly args: unknown[];
  /** The first run time strictly after `time` (ms since the epoch). */
  nextAfter(time: number): number;
  /** A human description, for logs. */
  readonly describe: string;
}

const KNOWN = new Set(['every', 'cron', 'timezone', 'args', 'name']);
const NAME = /^[A-Za-z_][\w.:-]{0,79}$/;

export function resolveSchedule(options: ScheduleOptions, where: string, task: string, defaultName: string): Schedule {
  const check = optionChecker(where);
  if (typeof options !== 'object' || options === null) check.fail('options', `must be an object, got ${show(options)}`);
  check.unknownKeys(options, KNOWN);
  if ((options.every === undefined) === (options.cron === undefined)) check.fail('every', 'or "cron" must be given, and not both');
  const name = options.name ?? defaultName;
  if (!NAME.test(name)) check.fail('name', `must be 1-80 letters, digits and _ . : -, got ${show(name)}`);
  if (options.args !== undefined && !Array.isArray(options.args)) check.fail('args', `must be an array, got ${show(options.args)}`);
  const args = options.args ?? [];
  if (options.every !== undefined) {
    const every = check.positiveMs('every', options.every);
    if (!Number.isInteger(every)) check.fail('every', `must be a whole number of ms, got ${every}`);
    return { name, task, args, describe: `every ${every} ms`, nextAfter: (time) => (Math.floor(time / every) + 1) * every };
  }
  if (options.timezone !== undefined && typeof options.timezone !== 'string') check.fail('timezone', `must be an IANA zone name, got ${show(options.timezone)}`);
  const timezone = options.timezone ?? 'UTC';
  let cron: Cron;
  try {
    cron = new Cron(String(options.cron), { timezone, paused: true });
    cron.nextRun(new Date(0));
  } catch (error) {
    return check.fail(options.timezone !== undefined && /time ?zone/i.test(String(error)) ? 'timezone' : 'cron', `is invalid: ${(error as Error).message} (got ${show(options.cron)}${options.timezone === undefined ? '' : ` in ${show(timezone)}`})`);
  }
  return {
    name,
    task,
    args,
    describe: `cron "${options.cron}" (${timezone})`,
    nextAfter: (time) => {
      const next = cron.nextRun(new Date(time));
      return next === null ? Number.POSITIVE_INFINITY : next.getTime();
    },
  };
}
