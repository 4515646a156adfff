/**
 * Core's terminal states, repeated here because the browser helper must not load `@celeriac/core`
 * at runtime (it pulls in reflect-metadata and node:crypto). A test keeps the two lists equal.
 */
const TERMINAL = new Set<string>(['SUCCESS', 'FAILURE', 'REVOKED']);

/** True for SUCCESS, FAILURE and REVOKED: the task is over and no update will follow. */
export function isTerminalState(state: string): boolean {
  return TERMINAL.has(state);
}
