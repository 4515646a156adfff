import { useEffect, useState } from 'preact/hooks';

/** A page of the dashboard, read from the location's hash: `#/queues/emails?state=FAILURE`. */
export interface Route {
  /** The path's segments, decoded: `['queues', 'emails']`. */
  readonly path: readonly string[];
  readonly query: URLSearchParams;
}

function parse(hash: string): Route {
  const raw = hash.replace(/^#\/?/, '');
  const at = raw.indexOf('?');
  const path = (at < 0 ? raw : raw.slice(0, at)).split('/').filter((s) => s !== '').map(decodeURIComponent);
  return { path, query: new URLSearchParams(at < 0 ? '' : raw.slice(at + 1)) };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parse(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parse(location.hash));
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

/** The link to a page: `href('queues', name)` → `#/queues/<name>`, with an optional query. */
export function href(...parts: (string | Record<string, string | number | undefined>)[]): string {
  const segments = parts.filter((p): p is string => typeof p === 'string').map(encodeURIComponent);
  const query = parts.find((p): p is Record<string, string | number | undefined> => typeof p === 'object');
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined && value !== '') params.set(key, String(value));
  const search = params.toString();
  return `#/${segments.join('/')}${search === '' ? '' : `?${search}`}`;
}

export function navigate(to: string): void {
  location.hash = to;
}
