/**
 * Celery's timestamps. `eta` and `expires` travel as ISO 8601 with exactly six fraction digits:
 * Celery reads the fraction as microseconds, so `toISOString()`'s three digits ("…:00.250Z") would
 * be read as 250 µs (a task run up to a second early), and seven or more are refused.
 */
export function formatCeleryTime(ms: number): string {
  const date = new Date(Math.floor(ms));
  const micros = Math.round((ms - Math.floor(ms)) * 1000);
  const base = date.toISOString().slice(0, 19);
  const fraction = String(date.getUTCMilliseconds() * 1000 + micros).padStart(6, '0');
  return `${base}.${fraction}+00:00`;
}

/** `date_done` as Celery writes it: UTC without an offset (Python's naive `utcnow().isoformat()`). */
export function formatDateDone(ms: number): string {
  return formatCeleryTime(ms).slice(0, -'+00:00'.length);
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Reads a Celery timestamp (ms since the epoch, with the microseconds as a fraction). A time
 * without an offset is UTC, as Celery writes it. Throws a `RangeError` for anything else.
 */
export function parseCeleryTime(text: string): number {
  const m = ISO.exec(text);
  if (m === null) throw new RangeError(`${JSON.stringify(text)} is not an ISO 8601 time`);
  const [, y, mo, d, h, mi, s, fraction = '', zone = 'Z'] = m;
  const utc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  let offset = 0;
  if (zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    offset = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return utc - offset + Number(fraction.padEnd(6, '0')) / 1000;
}
