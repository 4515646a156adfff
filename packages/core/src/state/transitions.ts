import { InvalidTransitionError } from '../errors/invalid-transition-error.js';
import { BUILTIN_STATES, type BuiltinState, type TaskState, TaskStates, USER_STATE_PATTERN } from './states.js';

const { PENDING, RECEIVED, STARTED, RETRY, SUCCESS, FAILURE, REVOKED } = TaskStates;

/** Stands for "any user state" (e.g. PROGRESS) in the transition table. */
export const USER_STATE = '*user*';
type Node = BuiltinState | typeof USER_STATE;

/**
 * The state machine, as data: for each state, the states it may move to. `null` is "no record yet".
 *
 * Why each edge exists:
 * - PENDING/RECEIVED/RETRY → FAILURE: a message that cannot run (unregistered task, delivery limit).
 * - RECEIVED → RECEIVED, STARTED/user → STARTED: a lease expired (worker killed) and the task is
 *   delivered again; the new run starts over. RECEIVED is for brokers or workers that prefetch.
 * - RECEIVED/STARTED/user → PENDING: graceful shutdown hands a task back to the broker.
 * - anything non-terminal → REVOKED: revoke, or expiry before the task ran.
 * - user states (PROGRESS…) only between STARTED and a terminal state, and may repeat.
 */
export const TRANSITIONS: ReadonlyMap<Node | null, readonly Node[]> = new Map<Node | null, readonly Node[]>([
  [null, [PENDING]],
  [PENDING, [RECEIVED, STARTED, FAILURE, REVOKED]],
  [RECEIVED, [RECEIVED, PENDING, STARTED, FAILURE, REVOKED]],
  [STARTED, [STARTED, USER_STATE, PENDING, RETRY, SUCCESS, FAILURE, REVOKED]],
  [USER_STATE, [STARTED, USER_STATE, PENDING, RETRY, SUCCESS, FAILURE, REVOKED]],
  [RETRY, [RECEIVED, STARTED, FAILURE, REVOKED]],
  [SUCCESS, []],
  [FAILURE, []],
  [REVOKED, []],
]);

// Sets for the hot path: every state change of every task asks this.
const ALLOWED = new Map<Node | null, ReadonlySet<Node>>([...TRANSITIONS].map(([from, to]) => [from, new Set(to)]));
const BUILTIN = new Set<string>(BUILTIN_STATES);

function nodeOf(state: TaskState): Node | undefined {
  if (BUILTIN.has(state)) return state as BuiltinState;
  return USER_STATE_PATTERN.test(state) ? USER_STATE : undefined;
}

export function canTransition(from: TaskState | null, to: TaskState): boolean {
  const target = nodeOf(to);
  if (target === undefined) return false;
  const source = from === null ? null : nodeOf(from);
  return source !== undefined && (ALLOWED.get(source)?.has(target) ?? false);
}

/** Throws an {@link InvalidTransitionError} unless `from → to` is in the table. */
export function assertTransition(from: TaskState | null, to: TaskState): void {
  if (!canTransition(from, to)) throw new InvalidTransitionError(from, to);
}

/** Whether `update` may be applied to a record in state `from` (`null`: no record). */
export function canApply(from: TaskState | null, update: { state: TaskState; create?: boolean }): boolean {
  if (update.create === true && from !== null) return false;
  return canTransition(from, update.state);
}

/** {@link allowedSources} for an update: a creation is allowed only where there is no record. */
export function allowedSourcesFor(update: { state: TaskState; create?: boolean }): string[] {
  return update.create === true ? [''] : allowedSources(update.state);
}

/**
 * The states a record may be in for `to` to be applied, with `''` for "no record".
 * Storage adapters that check transitions atomically (e.g. in a Lua script) take this list
 * instead of a copy of the table, so the table stays the single source of truth.
 * User states appear as {@link USER_STATE}.
 */
export function allowedSources(to: TaskState): string[] {
  const target = nodeOf(to);
  if (target === undefined) throw new InvalidTransitionError(null, to, `"${to}" is not a valid state name (user states are UPPER_SNAKE_CASE)`);
  const sources: string[] = [];
  for (const [from, targets] of TRANSITIONS) {
    if (targets.includes(target)) sources.push(from === null ? '' : from);
  }
  return sources;
}
