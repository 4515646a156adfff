import 'reflect-metadata';

// The app, handles and results
export { Celeriac, type RevokeOutcome } from './app/celeriac.js';
export { type CeleriacOptions, DEFAULT_CELERIAC_OPTIONS, MAX_MESSAGE_SIZE_CEILING, MAX_NESTING_DEPTH_CEILING } from './app/celeriac-options.js';
export type { ApplyOptions, JsonArg, JsonResult, MethodNames, NotJsonArgument, TaskArgs, TaskHandle, TaskHandles, TaskResult } from './app/handle-types.js';
export { TASK_ID_PATTERN, resolveApplyOptions, type ResolvedApply } from './app/apply-options.js';
export { AsyncResult, type WaitOptions } from './result/async-result.js';
export { DeadLetters, type DeadLetterListOptions, type DeadLetterPage } from './app/dead-letters.js';
export type { DeadLetter } from './contracts/broker.js';
export { Queues } from './app/queues-api.js';
export { Tasks, type TaskListOptions, type TaskPage } from './app/tasks-api.js';
export { Schedules, type ScheduleInfo } from './app/schedules-api.js';
export type { QueueInfo, TaskView, TimelineEntry, TaskListRetention } from './contracts/admin.js';

// Operating it: lifecycle events, the event stream, the live workers
export type {
  CeleriacEvent,
  CeleriacEventName,
  CeleriacEvents,
  CeleriacListener,
  StoreDisconnectedEvent,
  StoreReconnectedEvent,
  TaskDeadLetteredEvent,
  TaskEventBase,
  TaskFailedEvent,
  TaskProgressEvent,
  TaskStartedEvent,
  TaskReceivedEvent,
  TaskRetriedEvent,
  TaskRevokedEvent,
  TaskSentEvent,
  TaskSucceededEvent,
  WorkerEvent,
  WorkerInfoEvent,
  WorkerTaskEvent,
} from './events/event-types.js';
export { EventStream, type FollowOptions } from './events/event-stream.js';
export { Workers, DEFAULT_PING_TIMEOUT } from './app/workers.js';
export type { PingReply } from './events/control.js';
export type { RunningTaskInfo, WorkerInfo } from './contracts/workers.js';

// Declaring tasks
export { task } from './decorators/task.js';
export { readTaskMetadata } from './metadata/read-task-metadata.js';
export { TASK_METADATA, SCHEDULE_METADATA, DEFAULT_QUEUE } from './constants.js';
export { type BackoffOptions, type ResolvedTaskOptions, type TaskOptions, DEFAULT_TASK_OPTIONS, DEFAULT_BACKOFF } from './options/task-options.js';
export { NAME_PATTERN } from './options/option-checker.js';
export type { ProgressMeta, TaskContext } from './context/task-context.js';
export { type Logger, type LogFields, type LogLevel, asLogger, consoleLogger, envLogLevel } from './context/logger.js';

// Workflows (Celery's canvas)
export type { PartialSignature, Signature } from './canvas/signature.js';
export { Chain, chain } from './canvas/chain.js';
export type { WorkflowFailure } from './canvas/follow-ups.js';
export { Chord, Group, type GroupItem, GroupResult, type ResultsOf, chord, group } from './canvas/group.js';

// Periodic tasks
export { schedule } from './decorators/schedule.js';
export type { Schedule, ScheduleOptions } from './schedule/schedule-options.js';
export { Scheduler, type SchedulerOptions, DEFAULT_SCHEDULER_OPTIONS } from './schedule/scheduler.js';
export type { RateLimitOption } from './options/rate-limit.js';

// Workers
export { Worker } from './worker/worker.js';
export { type WorkerOptions, DEFAULT_WORKER_OPTIONS } from './worker/worker-options.js';
export { backoffDelay } from './worker/retry-policy.js';
export { type Announcement, readAnnouncement } from './app/task-announcements.js';
export type { BackoffFunction, ErrorClass, ErrorMatcher, PoolKind } from './options/task-options.js';

// The state machine
export { TaskStates, type BuiltinState, type TaskState, BUILTIN_STATES, TERMINAL_STATES, isTerminal, isUserState } from './state/states.js';
export { canTransition } from './state/transitions.js';

// Records and the store (adapters build on '@celeriac/core/adapter')
export type { SerializedError, TaskMeta, TaskRecord } from './contracts/record.js';
export type { ProcessTrace, SendTrace, TaskTracing } from './contracts/tracing.js';
export type { TaskStore } from './contracts/task-store.js';

// Errors
export { CeleriacError } from './errors/celeriac-error.js';
export { DeliveryLimitError } from './errors/delivery-limit-error.js';
export { EnqueueTimeoutError } from './errors/enqueue-timeout-error.js';
export { InvalidOptionError } from './errors/invalid-option-error.js';
export { InvalidTransitionError } from './errors/invalid-transition-error.js';
export { LeaseLostError } from './errors/lease-lost-error.js';
export { MalformedMessageError } from './errors/malformed-message-error.js';
export { MessageTooLargeError } from './errors/message-too-large-error.js';
export { NotATaskError } from './errors/not-a-task-error.js';
export { NotRegisteredError } from './errors/not-registered-error.js';
export { RetryRequest } from './errors/retry-request.js';
export { RunnerCrashedError } from './errors/runner-crashed-error.js';
export { UnrecoverableError } from './errors/unrecoverable-error.js';
export { WorkerShutdownError } from './errors/worker-shutdown-error.js';
export { SerializationError } from './errors/serialization-error.js';
export { TaskFailedError } from './errors/task-failed-error.js';
export { TaskRevokedError } from './errors/revoked-error.js';
export { TimeLimitExceededError } from './errors/time-limit-error.js';
export { UnknownTaskError } from './errors/unknown-task-error.js';
export { WaitTimeoutError } from './errors/wait-timeout-error.js';
export { serializeError } from './errors/serialize-error.js';
