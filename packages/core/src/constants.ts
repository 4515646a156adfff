/** Metadata key under which `@task()` stores a method's normalized options. */
export const TASK_METADATA = 'celeriac:task';

/** The queue a task goes to when neither the task nor the call names one. */
export const DEFAULT_QUEUE = 'default';

/** Metadata key under which `@schedule()` stores a method's schedules. */
export const SCHEDULE_METADATA = 'celeriac:schedule';
