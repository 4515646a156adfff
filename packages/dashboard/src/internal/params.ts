import { TASK_ID_PATTERN } from '@celeriac/core';
import { HttpError } from './errors.js';

/** The largest page a list route returns: a page is read from the store in one go. */
export const MAX_PAGE = 500;
const NAME = /^[\w.:-]{1,200}$/;
/** A dead letter's id: a task id, or whatever id the store gave a message it could not read. */
const LETTER_ID = /^[\x21-\x7e]{1,256}$/;
const STATE = /^[A-Z][A-Z0-9_]{0,63}$/;
const COUNT = /^\d{1,9}$/;

const badRequest = (message: string) => new HttpError(400, 'CELERIAC_DASHBOARD_BAD_REQUEST', message);

/** A task id as core accepts them (what `app.send` and `TASK_ID_PATTERN` allow). */
export function taskId(value: unknown): string {
  if (typeof value !== 'string' || !TASK_ID_PATTERN.test(value)) throw badRequest(`Not a task id: ${JSON.stringify(value)} (1-128 characters of letters, digits and _ . : -)`);
  return value;
}

/** A dead letter's id. */
export function letterId(value: unknown): string {
  if (typeof value !== 'string' || !LETTER_ID.test(value)) throw badRequest(`Not a dead letter id: ${JSON.stringify(value)}`);
  return value;
}

/** A queue, task or schedule name. */
export function name(what: string, value: unknown): string {
  if (typeof value !== 'string' || !NAME.test(value)) throw badRequest(`Not a ${what}: ${JSON.stringify(value)}`);
  return value;
}

/** A filter by name (`task`, `queue`): `null` when absent or empty; given twice, an error rather than the first one silently. */
export function optionalName(query: URLSearchParams, key: string, what: string): string | null {
  const values = query.getAll(key);
  if (values.length > 1) throw badRequest(`${key} must be given once, got ${JSON.stringify(values)}`);
  const value = values[0];
  return value === undefined || value === '' ? null : name(what, value);
}

/** A task state: a built-in one or a user state such as PROGRESS (upper-case). */
export function state(value: string | null): string {
  if (value === null) throw badRequest('Give the state to list, e.g. state=FAILURE');
  if (!STATE.test(value)) throw badRequest(`Not a task state: ${JSON.stringify(value)} (e.g. PENDING, STARTED, SUCCESS, FAILURE)`);
  return value;
}

/** `offset` and `limit` of a list, each a whole number; `limit` from 1 to MAX_PAGE. */
export function paging(query: URLSearchParams, defaultLimit: number): { offset: number; limit: number } {
  const offset = count(query, 'offset', 0);
  const limit = count(query, 'limit', defaultLimit);
  if (limit < 1 || limit > MAX_PAGE) throw badRequest(`limit must be from 1 to ${MAX_PAGE}, got ${limit}`);
  return { offset, limit };
}

function count(query: URLSearchParams, key: string, fallback: number): number {
  const values = query.getAll(key);
  if (values.length === 0) return fallback;
  const value = values[0] as string;
  if (values.length > 1 || !COUNT.test(value)) throw badRequest(`${key} must be one whole number, got ${JSON.stringify(values.length > 1 ? values : value)}`);
  return Number(value);
}

/** Only the query keys a resource knows: a typo (`stat=FAILURE`) is an error, not an unfiltered list. */
export function onlyKeys(query: URLSearchParams, known: readonly string[]): void {
  for (const key of query.keys()) if (!known.includes(key)) throw badRequest(`Unknown query parameter ${JSON.stringify(key)} (known: ${known.length === 0 ? 'none' : known.join(', ')})`);
}

/** The query string of a request as URLSearchParams (Fastify's parsed object loses repeated keys' order). */
export function queryOf(url: string): URLSearchParams {
  const at = url.indexOf('?');
  return new URLSearchParams(at < 0 ? '' : url.slice(at + 1));
}
