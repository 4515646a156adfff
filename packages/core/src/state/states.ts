/** The built-in task states, as in Celery. */
export const TaskStates = {
  PENDING: 'PENDING',
  RECEIVED: 'RECEIVED',
  STARTED: 'STARTED',
  RETRY: 'RETRY',
  SUCCESS: 'SUCCESS',
  FAILURE: 'FAILURE',
  REVOKED: 'REVOKED',
} as const;

export type BuiltinState = (typeof TaskStates)[keyof typeof TaskStates];

/**
 * A task state: a built-in one, or a user state such as `PROGRESS`.
 * The `string & {}` keeps editor completion for the built-ins.
 */
export type TaskState = BuiltinState | (string & {});

export const BUILTIN_STATES: readonly BuiltinState[] = Object.values(TaskStates);

export const TERMINAL_STATES: ReadonlySet<TaskState> = new Set<TaskState>([
  TaskStates.SUCCESS,
  TaskStates.FAILURE,
  TaskStates.REVOKED,
]);

export function isBuiltinState(state: TaskState): state is BuiltinState {
  return (BUILTIN_STATES as readonly string[]).includes(state);
}

/** A user state is any upper-case name that is not built in, e.g. `PROGRESS`. */
export function isUserState(state: TaskState): boolean {
  return !isBuiltinState(state) && USER_STATE_PATTERN.test(state);
}

export const USER_STATE_PATTERN = /^[A-Z][A-Z0-9_]{0,63}$/;

export function isTerminal(state: TaskState): boolean {
  return TERMINAL_STATES.has(state);
}
