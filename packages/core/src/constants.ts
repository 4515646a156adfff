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

/**
 * Stores refuse (dead-letter) a stored message larger than this many characters or nested deeper
 * than {@link MAX_NESTING_DEPTH_CEILING} levels (plus the message's own), whoever produced it:
 * an app's limits may be lowered, and raised up to these, never past them.
 */
export const MAX_MESSAGE_SIZE_CEILING = 64 * 1024 * 1024;
export const MAX_NESTING_DEPTH_CEILING = 256;
