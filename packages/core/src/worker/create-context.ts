import type { TaskMessage } from '../contracts/message.js';
import type { TaskMeta } from '../contracts/record.js';
import type { StateWriter } from './pools/pool.js';
import { childLogger, type Logger } from '../context/logger.js';
import type { TaskContext } from '../context/task-context.js';
import { InvalidTransitionError } from '../errors/invalid-transition-error.js';
import { RetryRequest } from '../errors/retry-request.js';
import { serializeError } from '../errors/serialize-error.js';
import { TaskStates, isUserState, type TaskState } from '../state/states.js';
import type { LazyAbort } from './lazy-abort.js';

/** What a context needs from where the task runs: in the worker, the store; in a runner, the channel to the worker. */
export interface ContextHost {
  readonly logger: Logger;
  /** Stores a user state of this run; a failure is logged, never thrown at the task. */
  storeState(state: TaskState, meta: TaskMeta | undefined): Promise<void>;
}

/** The `ctx` a bound task gets, the same in every pool (only `host` differs). */
export function createContext(host: ContextHost, message: Pick<TaskMessage, 'id' | 'task' | 'attempt'>, retries: number, controller: LazyAbort): TaskContext {
  const updateState = async (state: TaskState, meta?: TaskMeta): Promise<void> => {
    if (!isUserState(state)) {
      throw new InvalidTransitionError(TaskStates.STARTED, state, `updateState("${state}"): only user states (UPPER_SNAKE_CASE, not built in) may be set from a task; return a value to succeed, throw to fail`);
    }
    await host.storeState(state, meta);
  };
  return {
    id: message.id,
    name: message.task,
    attempt: message.attempt,
    retries,
    get signal() {
      return controller.signal;
    },
    logger: host.logger,
    updateState,
    progress: (current, total, status) => updateState('PROGRESS', status === undefined ? { current, total } : { current, total, status }),
    retry: (options = {}) => {
      throw new RetryRequest(options.countdown, options.reason);
    },
  };
}

/** The host of a run on the worker itself: states go to the store through the run's report (fenced by its lease). */
export function storeHost(report: StateWriter, parent: Logger, message: TaskMessage): ContextHost {
  const logger = childLogger(parent, { taskId: message.id, task: message.task, attempt: message.attempt });
  return {
    logger,
    storeState: async (state, meta) => {
      const update = { id: message.id, task: message.task, attempt: message.attempt, state, ...(meta === undefined ? {} : { meta }) };
      try {
        await report.apply(update);
      } catch (error) {
        // A lost progress report must not fail the task; the next one or the outcome will be stored.
        logger.warn('could not store task state', { state, error: serializeError(error).message });
      }
    },
  };
}
