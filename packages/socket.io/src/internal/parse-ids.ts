import { TASK_ID_PATTERN } from '@celeriac/core';

/** One requested id: valid, or the raw value shown back to the client with the problem. */
export type ParsedId = { valid: true; id: string } | { valid: false; id: string; problem: string };

/** Accepts what a client may send (one id or an array); anything else is one invalid id. */
export function parseIds(payload: unknown): ParsedId[] {
  const items: unknown[] = Array.isArray(payload) ? payload : [payload];
  return items.map(parseId);
}

function parseId(value: unknown): ParsedId {
  if (typeof value === 'string' && TASK_ID_PATTERN.test(value)) return { valid: true, id: value };
  const shown = typeof value === 'string' ? value.slice(0, 200) : String(value);
  return { valid: false, id: shown, problem: `is not a task id: expected 1-128 letters, digits and _ . : -, got ${describe(value)}` };
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (value === null || value === undefined) return String(value);
  return typeof value === 'object' ? (Array.isArray(value) ? 'an array' : 'an object') : `${typeof value} ${String(value)}`;
}
