import { CeleriacError } from './celeriac-error.js';

/**
 * The store did not accept an enqueue within the app's `enqueueTimeout` (it is unreachable or
 * overloaded). Retryable. The request may still reach the store later (a Redis connection replays
 * queued commands on reconnect), so the tasks may yet run: retry with the same `taskId` to be sure
 * of exactly one task (a second enqueue of an id in use is refused), or check `app.result(id).exists()`.
 */
export class EnqueueTimeoutError extends CeleriacError {
  readonly code = 'ENQUEUE_TIMEOUT' as const;
  /** Try again later: the store may be back. */
  readonly retryable = true as const;
  /** Always true: whether the store will still apply the request is unknown to the caller. */
  readonly mayHaveBeenEnqueued = true as const;

  constructor(
    readonly taskName: string,
    readonly taskIds: readonly string[],
    readonly timeoutMs: number,
  ) {
    super(
      `Enqueueing ${taskName} (${taskIds.length === 1 ? `id ${taskIds[0]}` : `${taskIds.length} tasks`}) was not accepted by the store within ${timeoutMs} ms (enqueueTimeout): ` +
        'the store is unreachable or overloaded. It may still be enqueued if the store comes back: retry with the same taskId, which is refused if the first attempt got through',
    );
  }
}
