import { MAX_PRIORITY } from '../contracts/message.js';
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { show } from '../internal/show.js';

/** The longest a Node timer can wait (about 24.8 days). */
export const MAX_TIMER_MS = 2 ** 31 - 1;
export const NAME_PATTERN = /^[A-Za-z_][\w.:-]{0,199}$/;

/** Option checks: each failure is an `InvalidOptionError` naming where, which option, and what was given. */
export type OptionChecker = ReturnType<typeof optionChecker>;

/** A checker bound to where the options came from, so every message names it. */
export function optionChecker(where: string) {
  const fail = (option: string, problem: string): never => {
    throw new InvalidOptionError(where, option, problem);
  };
  return {
    fail,
    nonNegativeInt(option: string, value: unknown): number {
      if (!Number.isSafeInteger(value) || (value as number) < 0) fail(option, `must be a non-negative integer, got ${show(value)}`);
      return value as number;
    },
    positiveInt(option: string, value: unknown): number {
      if (!Number.isSafeInteger(value) || (value as number) < 1) fail(option, `must be a positive integer, got ${show(value)}`);
      return value as number;
    },
    positiveMs(option: string, value: unknown): number {
      if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
        fail(option, `must be a positive number of milliseconds, got ${show(value)}`);
      }
      return value as number;
    },
    /** A duration that arms a timer: Node cannot wait longer than 2^31-1 ms (about 24.8 days). */
    timerMs(option: string, value: unknown): number {
      const ms = this.positiveMs(option, value);
      if (ms > MAX_TIMER_MS) fail(option, `must be at most ${MAX_TIMER_MS} ms (about 24.8 days), got ${ms}`);
      return ms;
    },
    name(option: string, value: unknown): string {
      if (typeof value !== 'string' || !NAME_PATTERN.test(value)) {
        fail(option, `must be a name of letters, digits and _ . : - (at most 200), got ${show(value)}`);
      }
      return value as string;
    },
    priority(option: string, value: unknown): number {
      if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > MAX_PRIORITY) {
        fail(option, `must be an integer from 0 to ${MAX_PRIORITY}, got ${show(value)}`);
      }
      return value as number;
    },
    /** The options object itself: a plain object. */
    object(value: unknown, option = 'options'): Record<string, unknown> {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(option, `must be an object, got ${show(value)}`);
      return value as Record<string, unknown>;
    },
    unknownKeys(value: object, known: Iterable<string>, prefix = ''): void {
      const names = new Set(known);
      for (const key of Object.keys(value)) {
        if (!names.has(key)) fail(prefix + key, `is not a known option (known: ${[...names].join(', ')})`);
      }
    },
  };
}

