import { InvalidArgumentError } from 'commander';

/**
 * Option and argument parsers for commander: each throws `InvalidArgumentError`, which commander
 * reports as `error: option '--x <n>' argument 'abc' is invalid. <our reason>` (a usage error).
 */

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** A duration: a bare number is seconds (as Celery's CLI), or a number with `ms`, `s`, `m` or `h`. Returns ms. */
export function parseDuration(value: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim());
  if (match === null) throw new InvalidArgumentError('Give a duration: seconds (e.g. 10 or 2.5), or a number with ms, s, m or h (e.g. 500ms, 5m).');
  const ms = Math.round(Number(match[1]) * (UNITS[match[2] ?? 's'] as number));
  if (ms > 2 ** 31 - 1) throw new InvalidArgumentError('Give at most 24 days.');
  return ms;
}

/** A positive integer. */
export function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('Give a positive whole number.');
  return n;
}

/** A non-negative integer. */
export function parseNonNegativeInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) throw new InvalidArgumentError('Give a whole number, 0 or more.');
  return n;
}

/** A comma-separated list of names: `a,b` or `a, b`. */
export function parseList(value: string): string[] {
  const names = value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (names.length === 0) throw new InvalidArgumentError('Give one or more names separated by commas, e.g. default,emails.');
  return names;
}

/** A queue or task name: not empty, kept as given. */
export function parseName(value: string): string {
  if (value.trim().length === 0) throw new InvalidArgumentError('Give a name, e.g. default.');
  return value;
}

/** One of the given choices. */
export function oneOf<const C extends string>(choices: readonly C[]): (value: string) => C {
  return (value) => {
    if (!(choices as readonly string[]).includes(value)) throw new InvalidArgumentError(`Give one of: ${choices.join(', ')}.`);
    return value as C;
  };
}

/** A URL path to serve under: `/admin` or `/admin/queues` (a leading slash, no trailing one, no `:params`). */
export function parsePrefix(value: string): string {
  if (!/^(\/[A-Za-z0-9._~!$&'()+,;=@%-]+)+$/.test(value)) throw new InvalidArgumentError('Give a path such as /admin or /admin/queues: a leading slash, no trailing one.');
  return value;
}
