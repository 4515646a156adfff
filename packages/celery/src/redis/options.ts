import { Redis } from 'ioredis';
import { DEFAULT_TASK_LIST_RETENTION, optionChecker, show } from '@celeriac/core/adapter';
import type { ParameterNames } from '../protocol/kwargs.js';
import { KOMBU_PRIORITY_STEPS } from './kombu.js';

/** Options of the Celery-compatible Redis broker, result backend and store. */
export interface CeleryRedisOptions {
  /** A `redis://` URL or an ioredis instance (which stays yours to close). */
  connection: string | Redis;
  /**
   * Prepended to every key, as kombu's `global_keyprefix` (Celery 5.3+). Celery 5.2 has none:
   * leave it empty to share queues and results with Python. @defaultValue `''`
   */
  keyPrefix?: string;
  /**
   * kombu's `visibility_timeout` in ms: a message taken but not acknowledged for this long is put
   * back on its queue. Set it as Celery's `broker_transport_options` does (the same on both sides);
   * it must exceed the longest Celery task and ETA, since Celery workers do not renew theirs
   * (Celeriac workers do, every `heartbeatInterval`). @defaultValue `3_600_000` (kombu's hour)
   */
  visibilityTimeout?: number;
  /** How often a Celeriac process renews the messages it holds, in ms. @defaultValue `1_000` */
  heartbeatInterval?: number;
  /** kombu's `priority_steps`, one list per step. @defaultValue `[0, 3, 6, 9]` */
  prioritySteps?: readonly number[];
  /** Parameter names per task, so keyword arguments from Python map onto positions. @defaultValue `{}` */
  parameters?: ParameterNames;
  /** How often a waiting reserve looks at the lists (Python producers send no wake-up), in ms. @defaultValue `100` */
  pollInterval?: number;
  /** Queues `revoke` searches for the waiting message (besides those this process used). @defaultValue `[]` */
  queues?: readonly string[];
  /** How long a finished result is kept, in ms (Celery's `result_expires`). @defaultValue `86_400_000` */
  resultTtl?: number;
  /** Dead letters kept, newest last. @defaultValue `10_000` */
  deadLetterLimit?: number;
  /** How long a revoked id is remembered, in ms (Celery's workers keep theirs three hours). @defaultValue `86_400_000` */
  revokedTtl?: number;
  /** Events kept in the queue-wide stream (`app.events`), about this many, oldest dropped first. @defaultValue `10_000` */
  eventLimit?: number;
  /** At most this many tasks listed per finished state (`app.tasks.list`). @defaultValue `10_000` */
  taskListLimit?: number;
  /** Finished tasks older than this drop out of the lists, in ms (their records stay until `resultTtl`). @defaultValue `86_400_000` */
  taskListTtl?: number;
}

export type ResolvedCeleryRedisOptions = Required<Omit<CeleryRedisOptions, 'connection'>> & Pick<CeleryRedisOptions, 'connection'>;

export const DEFAULT_CELERY_REDIS_OPTIONS = {
  keyPrefix: '',
  visibilityTimeout: 3_600_000,
  heartbeatInterval: 1_000,
  prioritySteps: KOMBU_PRIORITY_STEPS,
  parameters: {},
  pollInterval: 100,
  queues: [],
  resultTtl: 86_400_000,
  deadLetterLimit: 10_000,
  revokedTtl: 86_400_000,
  eventLimit: 10_000,
  taskListLimit: DEFAULT_TASK_LIST_RETENTION.taskListLimit,
  taskListTtl: DEFAULT_TASK_LIST_RETENTION.taskListTtl,
} as const satisfies Omit<ResolvedCeleryRedisOptions, 'connection'>;

/** Checks every option (an `InvalidOptionError` naming the first wrong one) and fills in defaults. */
export function resolveOptions(where: string, options: CeleryRedisOptions): ResolvedCeleryRedisOptions {
  const check = optionChecker(where);
  check.object(options);
  check.unknownKeys(options, ['connection', ...Object.keys(DEFAULT_CELERY_REDIS_OPTIONS)]);
  const o = { ...DEFAULT_CELERY_REDIS_OPTIONS, ...stripUndefined(options) } as ResolvedCeleryRedisOptions;
  if (typeof o.connection === 'string') {
    if (!/^rediss?:\/\//.test(o.connection)) check.fail('connection', `must be a redis:// or rediss:// URL, got ${show(o.connection)}`);
  } else if (!(o.connection instanceof Redis)) check.fail('connection', `must be a redis:// URL or an ioredis instance, got ${show(o.connection)}`);
  if (typeof o.keyPrefix !== 'string') check.fail('keyPrefix', `must be a string, got ${show(o.keyPrefix)}`);
  check.timerMs('visibilityTimeout', o.visibilityTimeout);
  check.timerMs('heartbeatInterval', o.heartbeatInterval);
  if (o.heartbeatInterval * 2 > o.visibilityTimeout) check.fail('heartbeatInterval', `must be at most half of visibilityTimeout (${o.visibilityTimeout} ms), got ${o.heartbeatInterval}`);
  check.timerMs('pollInterval', o.pollInterval);
  check.timerMs('resultTtl', o.resultTtl);
  check.timerMs('revokedTtl', o.revokedTtl);
  check.positiveInt('deadLetterLimit', o.deadLetterLimit);
  check.positiveInt('eventLimit', o.eventLimit);
  check.positiveInt('taskListLimit', o.taskListLimit);
  check.timerMs('taskListTtl', o.taskListTtl);
  const steps = o.prioritySteps;
  if (!Array.isArray(steps) || steps[0] !== 0 || !steps.every((s, i) => Number.isInteger(s) && s >= 0 && s <= 9 && (i === 0 || s > (steps[i - 1] as number)))) {
    check.fail('prioritySteps', `must be increasing integers from 0 to 9 starting at 0 (kombu's default is [0, 3, 6, 9]), got ${show(steps)}`);
  }
  if (!Array.isArray(o.queues) || !o.queues.every((q) => typeof q === 'string' && q.length > 0)) check.fail('queues', `must be an array of queue names, got ${show(o.queues)}`);
  const params = check.object(o.parameters, 'parameters');
  for (const [task, names] of Object.entries(params)) {
    if (!Array.isArray(names) || !names.every((n) => typeof n === 'string' && n.length > 0) || new Set(names).size !== names.length) {
      check.fail(`parameters.${task}`, `must be an array of distinct parameter names, got ${show(names)}`);
    }
  }
  return o;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
