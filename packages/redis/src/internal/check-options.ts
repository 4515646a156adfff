import { InvalidOptionError } from '@celeriac/core';
import { isRedisInstance } from './connection.js';

/** Eager option checks: each failure names where and which option, with what was given. */
export function optionChecks(where: string) {
  const fail = (option: string, problem: string): never => {
    throw new InvalidOptionError(where, option, problem);
  };
  return {
    fail,
    object(value: unknown): Record<string, unknown> {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('options', `must be an object, got ${show(value)}`);
      return value as Record<string, unknown>;
    },
    unknownKeys(options: object, known: readonly string[]): void {
      for (const key of Object.keys(options)) {
        if (!known.includes(key)) fail(key, `is not a known option (known: ${known.join(', ')})`);
      }
    },
    positiveInt(option: string, value: unknown): number {
      if (!Number.isSafeInteger(value) || (value as number) < 1) fail(option, `must be a positive integer, got ${show(value)}`);
      return value as number;
    },
    prefix(value: unknown): string {
      // Braces would break the {prefix} hash tag that keeps a deployment's keys in one Cluster slot.
      if (typeof value !== 'string' || !/^[^{}\s]{1,100}$/.test(value)) {
        fail('prefix', `must be 1 to 100 characters without braces or spaces, got ${show(value)}`);
      }
      return value as string;
    },
    connection(value: unknown): void {
      if (typeof value === 'string') {
        if (!/^rediss?:\/\//.test(value)) fail('connection', `must be a redis:// or rediss:// URL, got ${show(value)}`);
        return;
      }
      if (isRedisInstance(value)) return;
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        fail('connection', `must be a redis:// URL, ioredis options or an ioredis instance, got ${show(value)}`);
      }
    },
  };
}

export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
