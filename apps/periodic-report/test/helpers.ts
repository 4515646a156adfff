import type { Database } from '../src/db/database.js';

/** Wraps a database and records every statement, to check which queries a route runs. */
export function countingDatabase(inner: Database): Database & { statements: string[] } {
  const statements: string[] = [];
  return {
    statements,
    query: (sql, params) => {
      statements.push(sql.replace(/\s+/g, ' ').trim());
      return inner.query(sql, params);
    },
    close: () => inner.close(),
  };
}

/** Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 10_000, everyMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last === undefined ? '' : `: ${String(last)}`}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

export async function getJson<T = unknown>(url: string, init?: RequestInit): Promise<{ status: number; headers: Headers; body: T; ms: number }> {
  const started = performance.now();
  const response = await fetch(url, init);
  const body = (await response.json()) as T;
  return { status: response.status, headers: response.headers, body, ms: performance.now() - started };
}
