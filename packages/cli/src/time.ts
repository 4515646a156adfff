/** Times for people: how long ago, how long, and when. */

/** `3 s`, `4 min`, `2 h 5 min`, `3 d 4 h`: a span of ms, to the unit that matters. */
export function span(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return ms < 1000 ? `${Math.max(0, Math.round(ms))} ms` : `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 === 0 ? `${h} h` : `${h} h ${m % 60} min`;
  const d = Math.floor(h / 24);
  return h % 24 === 0 ? `${d} d` : `${d} d ${h % 24} h`;
}

/** `12 s ago` (or `in 12 s` for a time still to come). */
export function ago(at: number, now = Date.now()): string {
  return at <= now ? `${span(now - at)} ago` : `in ${span(at - now)}`;
}

/** An ISO time with how long ago it was: `2025-01-01T10:00:00.000Z (12 s ago)`. */
export function when(at: number, now = Date.now()): string {
  return `${new Date(at).toISOString()} (${ago(at, now)})`;
}
