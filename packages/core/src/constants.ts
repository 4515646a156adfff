/** Metadata key under which `@task()` stores a method's normalized options. */
export const TASK_METADATA = 'celeriac:task';

/** The queue a task goes to when neither the task nor the call names one. */
export const DEFAULT_QUEUE = 'default';

/** Metadata key under which `@schedule()` stores a method's schedules. */
export const SCHEDULE_METADATA = 'celeriac:schedule';

/**
 * Set on a `@task()` method whose name was not given: its name is `ClassName.method`, completed
 * when the class is scanned (standard decorators do not tell a method decorator its class).
 */
export const TASK_DEFAULT_NAME_METADATA = 'celeriac:task-default-name';
