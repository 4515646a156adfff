import type { RateLimit } from '../contracts/broker.js';
import { show } from '../internal/show.js';

/** `'100/s'`, `'10/m'`, `'500/h'`, or `{ limit, intervalMs }`. */
export type RateLimitOption = `${number}/${'s' | 'm' | 'h'}` | RateLimit;

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000 } as const;
const PATTERN = /^(\d+)\/([smh])$/;

/** Parses a rate limit, or returns a problem description for the caller's option error. */
export function parseRateLimit(value: unknown): RateLimit | string {
  if (typeof value === 'string') {
    const match = PATTERN.exec(value.trim());
    if (match === null) return `must look like "100/s", "10/m" or "500/h", got ${show(value)}`;
    const limit = Number(match[1]);
    if (limit < 1) return `must allow at least 1 task, got ${show(value)}`;
    return { limit, intervalMs: UNIT_MS[match[2] as keyof typeof UNIT_MS] };
  }
  if (typeof value === 'object' && value !== null) {
    const { limit, intervalMs } = value as Partial<RateLimit>;
    if (!Number.isSafeInteger(limit) || (limit as number) < 1) return `.limit must be a positive integer, got ${show(limit)}`;
    if (typeof intervalMs !== 'number' || !(intervalMs > 0)) return `.intervalMs must be a positive number of ms, got ${show(intervalMs)}`;
    return { limit: limit as number, intervalMs };
  }
  return `must be a string like "100/s" or { limit, intervalMs }, got ${show(value)}`;
}
