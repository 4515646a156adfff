import { CeleriacError } from '@celeriac/core';

/** Redis could not be reached when the broker or backend first needed it. */
export class RedisUnavailableError extends CeleriacError {
  readonly code = 'REDIS_UNAVAILABLE' as const;

  constructor(
    readonly target: string,
    readonly timeoutMs: number,
    cause: Error | undefined,
  ) {
    super(
      `Could not connect to Redis at ${target} within ${timeoutMs} ms${cause === undefined ? '' : ` (last error: ${cause.message})`}: ` +
        'check that redis-server is running and that the "connection" option points at it, or raise "connectTimeout"',
      cause === undefined ? undefined : { cause },
    );
  }
}
