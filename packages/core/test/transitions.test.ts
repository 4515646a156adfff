import { describe, expect, it } from 'vitest';
import { InvalidTransitionError, TaskStates, canTransition, isTerminal } from '../src/index.js';
import { allowedSources, assertTransition } from '../src/adapter.js';

const { PENDING, RECEIVED, STARTED, RETRY, SUCCESS, FAILURE, REVOKED } = TaskStates;
const PROGRESS = 'PROGRESS';
const OTHER_USER = 'UPLOADING';

/**
 * The expected machine, written out by hand (not derived from the table under test), so that a
 * change to the table shows up here as a failing row.
 */
const EXPECTED: Record<string, string[]> = {
  '(none)': [PENDING],
  [PENDING]: [RECEIVED, STARTED, FAILURE, REVOKED],
  [RECEIVED]: [RECEIVED, PENDING, STARTED, FAILURE, REVOKED],
  [STARTED]: [STARTED, PROGRESS, OTHER_USER, PENDING, RETRY, SUCCESS, FAILURE, REVOKED],
  [PROGRESS]: [STARTED, PROGRESS, OTHER_USER, PENDING, RETRY, SUCCESS, FAILURE, REVOKED],
  [RETRY]: [RECEIVED, STARTED, FAILURE, REVOKED],
  [SUCCESS]: [],
  [FAILURE]: [],
  [REVOKED]: [],
};

const TARGETS = [PENDING, RECEIVED, STARTED, RETRY, SUCCESS, FAILURE, REVOKED, PROGRESS, OTHER_USER];
const rows = Object.entries(EXPECTED).flatMap(([from, allowed]) =>
  TARGETS.map((to) => ({ from: from === '(none)' ? null : from, to, allowed: allowed.includes(to) })),
);

describe('the state machine', () => {
  it.each(rows)('$from → $to allowed: $allowed', ({ from, to, allowed }) => {
    expect(canTransition(from, to)).toBe(allowed);
    if (allowed) expect(() => assertTransition(from, to)).not.toThrow();
    else expect(() => assertTransition(from, to)).toThrow(InvalidTransitionError);
  });

  it('throws a typed error that names both states', () => {
    try {
      assertTransition(SUCCESS, STARTED);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidTransitionError);
      expect(error).toMatchObject({ code: 'INVALID_TRANSITION', from: SUCCESS, to: STARTED });
      expect((error as Error).message).toContain('SUCCESS → STARTED');
    }
  });

  it('rejects state names that are neither built in nor UPPER_SNAKE_CASE user states', () => {
    for (const bad of ['progress', 'Progress', '', 'WITH SPACE', '9LIVES']) {
      expect(canTransition(STARTED, bad)).toBe(false);
      expect(() => assertTransition(STARTED, bad)).toThrow(InvalidTransitionError);
    }
  });

  it('knows which states are terminal', () => {
    expect([SUCCESS, FAILURE, REVOKED].every(isTerminal)).toBe(true);
    expect([PENDING, RECEIVED, STARTED, RETRY, PROGRESS].some(isTerminal)).toBe(false);
  });

  it('lists the allowed source states for storage-side checks (\'\' = no record)', () => {
    expect(allowedSources(PENDING).sort()).toEqual(['', RECEIVED, STARTED, '*user*'].sort());
    expect(allowedSources(SUCCESS).sort()).toEqual([STARTED, '*user*'].sort());
    expect(allowedSources(PROGRESS).sort()).toEqual([STARTED, '*user*'].sort());
    expect(allowedSources(REVOKED).sort()).toEqual([PENDING, RECEIVED, STARTED, '*user*', RETRY].sort());
  });
});
