import type { ActionResult } from '../../src/wire-types.js';

/** An answer of the dashboard's API that was not a success: its JSON `{ statusCode, message }`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Every URL is relative to the page, so the dashboard works under any prefix. */
export const apiUrl = (path: string) => `api/${path}`;

export async function getJson<T>(path: string): Promise<T> {
  return answer<T>(await fetch(apiUrl(path), { headers: { accept: 'application/json' } }));
}

/** Runs an action (`POST`, JSON body): resolves with what it did, rejects with the server's reason. */
export async function runAction(path: string): Promise<ActionResult> {
  return answer<ActionResult>(await fetch(apiUrl(path), { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: '{}' }));
}

async function answer<T>(response: Response): Promise<T> {
  const body = (await response.json().catch(() => null)) as unknown;
  if (!response.ok) {
    const message = typeof body === 'object' && body !== null && typeof (body as { message?: unknown }).message === 'string' ? (body as { message: string }).message : response.statusText;
    throw new ApiError(response.status, message);
  }
  return body as T;
}
