import { CeleriacError } from '@celeriac/core';

/**
 * An enqueue of a store with the `durable` option that Redis did not confirm on enough replicas in
 * time (its `WAIT` counted fewer, or the master changed before it answered). The tasks are stored on
 * the master and will run unless it fails before its replicas copy them: the enqueue is not
 * acknowledged, not undone. Enqueue again under the same ids (an id in use is refused) or check
 * their records to know.
 */
export class NotReplicatedError extends CeleriacError {
  readonly code = 'NOT_REPLICATED' as const;

  constructor(
    /** Replicas the `durable` option asks for. */
    readonly required: number,
    /** Replicas that confirmed the write (0 if the master changed meanwhile). */
    readonly acknowledged: number,
    readonly timeoutMs: number,
    why = `${acknowledged} of ${required} replicas confirmed it within ${timeoutMs} ms`,
  ) {
    super(`Enqueue not confirmed on ${required} Redis replica${required === 1 ? '' : 's'}: ${why}. The tasks are stored on the master and may run, or be lost if it fails now`);
  }
}
