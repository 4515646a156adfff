// @celeriac/core/adapter: what storage adapters build on. Apps import from '@celeriac/core'.

// The contract, and the adapter for a broker plus result backend pair
export type { EnqueueOptions, TaskStore } from './contracts/task-store.js';
export { splitStore } from './adapters/split-store.js';
export type { Broker, DeadLetter, Delivery, RateLimit, ReserveRequest, RevokeListener, StartedDelivery } from './contracts/broker.js';
export type { RecordListener, ResultBackend } from './contracts/result-backend.js';
export type { ApplyResult, StateUpdate } from './contracts/record.js';
export type { BroadcastListener, ConnectionChange, ConnectionListener, EventsListener, RunningTaskInfo, WorkerInfo } from './contracts/workers.js';
export { type QueueInfo, type TaskListRetention, type TaskQuery, type TaskView, type TimelineEntry, DEFAULT_TASK_LIST_RETENTION, PURGED_REASON } from './contracts/admin.js';
export { retriedMessage } from './adapters/split-admin.js';

// Messages on the wire, and what a store checks of one a foreign producer pushed
export { type ChainStep, type ChordLink, type GroupStep, type TaskMessage, type TaskStep, type TraceContext, MAX_PRIORITY, carriesWorkflow, decodeTaskMessage, encodeTaskMessage, validateTaskMessage } from './contracts/message.js';
export { checkInboxMessage, idInUseReason } from './adapters/inbox-message.js';

// Ids carrying a partition key's hash (`applyAsync(args, { partitionKey })`), for stores that spread a queue over partitions
export { fnv1a32, partitionKeyHashOf, partitionKeyId, partitionOfId } from './adapters/partition-key.js';

// The state machine, for stores that check moves where they run
export { TRANSITIONS, USER_STATE, allowedSources, allowedSourcesFor, assertTransition, canApply, canTransition } from './state/transitions.js';

// Shared helpers: sleeping until woken, option checks with the same messages as core's
export { Wakeup } from './adapters/wakeup.js';
export { optionChecker, type OptionChecker } from './options/option-checker.js';
export { show } from './internal/show.js';
// The publishOnce key of a chord's callback, for a store that calls a chord's callback itself (Celery's Redis backend).
export { chordKey } from './canvas/follow-ups.js';
