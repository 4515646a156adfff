/** Fetches `url` and parses the body as JSON, with the status, headers and how long it took. */
export async function getJson<T = unknown>(url: string, init?: RequestInit): Promise<{ status: number; headers: Headers; body: T; ms: number }> {
  const started = performance.now();
  const response = await fetch(url, init);
  const body = (await response.json()) as T;
  return { status: response.status, headers: response.headers, body, ms: performance.now() - started };
}
