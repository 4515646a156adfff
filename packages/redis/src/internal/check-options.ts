import { optionChecker, show } from '@celeriac/core/adapter';
import { isRedisInstance } from './connection.js';

/** Core's option checks, plus the two only Redis has. */
export function optionChecks(where: string) {
  const check = optionChecker(where);
  return {
    ...check,
    prefix(value: unknown): string {
      // Braces would break the {prefix} hash tag that keeps a deployment's keys in one Cluster slot.
      if (typeof value !== 'string' || !/^[^{}\s]{1,100}$/.test(value)) {
        check.fail('prefix', `must be 1 to 100 characters without braces or spaces, got ${show(value)}`);
      }
      return value as string;
    },
    connection(value: unknown): void {
      if (typeof value === 'string') {
        if (!/^rediss?:\/\//.test(value)) check.fail('connection', `must be a redis:// or rediss:// URL, got ${show(value)}`);
        // ioredis reads the path as the database number, and quietly uses 0 for one it cannot read.
        const path = urlPath(value);
        if (path !== '' && path !== '/' && !/^\/\d{1,5}$/.test(path)) {
          check.fail('connection', `must name a database by its number (redis://host:6379/2), got the path ${show(path)}`);
        }
        return;
      }
      if (isRedisInstance(value)) return;
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        check.fail('connection', `must be a redis:// URL, ioredis options or an ioredis instance, got ${show(value)}`);
      }
    },
  };
}

function urlPath(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return '';
  }
}
