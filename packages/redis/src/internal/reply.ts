/** Readers for Lua script replies: a reply that is not what the script promises is a bug, said loudly. */

export function replyArray(value: unknown, script: string): unknown[] {
  if (!Array.isArray(value)) throw new TypeError(`Lua script ${script} replied ${typeof value}, expected an array`);
  return value;
}

export function replyString(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString();
  if (typeof value === 'number') return String(value);
  throw new TypeError(`Lua script reply: expected a string, got ${value === null ? 'null' : typeof value}`);
}

export function replyNumber(value: unknown): number {
  const n = typeof value === 'number' ? value : Number(replyString(value));
  if (!Number.isFinite(n)) throw new TypeError(`Lua script reply: expected a number, got ${String(value)}`);
  return n;
}
