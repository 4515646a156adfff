import type { TaskMessage } from '../../contracts/message.js';
import type { RegisteredTask } from '../../app/registry.js';
import type { LazyAbort } from '../lazy-abort.js';
import { createContext, storeHost } from '../create-context.js';
import type { RunEnv, StateWriter, TaskPool } from './pool.js';

/**
 * Runs tasks on the worker's own event loop: no copy of arguments, no hop, the cheapest pool for
 * light async I/O. JavaScript cannot be stopped from outside, so a hard time limit only fails the
 * run and frees its slot; the code goes on until it returns or checks `ctx.signal`.
 */
export class InlinePool implements TaskPool {
  readonly kind = 'inline' as const;

  run(definition: RegisteredTask, message: TaskMessage, controller: LazyAbort, env: RunEnv, report: StateWriter): unknown {
    if (!definition.options.bind) return definition.run(...message.args);
    return definition.run(createContext(storeHost(report, env.logger, message), message, definition.options.retries, controller), ...message.args);
  }

  async close(): Promise<void> {}
}
