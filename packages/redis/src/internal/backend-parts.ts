import type { ApplyResult } from '@celeriac/core';
import type { RedisClients } from './connection.js';
import type { BackendKeys } from './keys.js';
import type { LocalRuns } from './lease-keeper.js';
import type { PendingUpdate } from './record-codec.js';
import type { ScriptArg } from './scripts.js';

/**
 * What a broker needs of its partner backend to change records in its own scripts (the combined
 * fast paths), reached through a symbol-keyed method so the backend's public surface stays as is.
 */
export const BACKEND_PARTS: unique symbol = Symbol('celeriac.redis.backendParts');

export interface BackendParts {
  readonly clients: RedisClients;
  readonly keys: BackendKeys;
  readonly prefix: string;
  /** applyUpdates-4.lua's ARGV[1..5] (prefixes, TTL, built-in states, a fresh batch token), for scripts that make their own updates. */
  recordHeader(): ScriptArg[];
  /** The record arguments of applyUpdates-4.lua (prefixes, TTL, packed updates) for a batch. */
  recordArgs(batch: readonly PendingUpdate[]): ScriptArg[];
  /** A script's applyUpdates-style reply as results, told at once to this process's listeners (as `apply` does). */
  results(batch: readonly PendingUpdate[], reply: unknown): ApplyResult[];
  assertOpen(): void;
  /** The tasks the broker runs in this process: the backend follows them without Redis while they run (see RedisBackend). */
  followLocalRuns(runs: LocalRuns): void;
}

export function backendPartsOf(backend: unknown): BackendParts | undefined {
  const method = (backend as { [BACKEND_PARTS]?: () => BackendParts } | null)?.[BACKEND_PARTS];
  return typeof method === 'function' ? method.call(backend) : undefined;
}
