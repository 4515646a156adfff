import type { ApplyOptions } from '@celeriac/core';
import type { ExposedTaskDefaults } from '../options.js';
import type { EnqueueRequest } from '../wire-types.js';
import { HttpError } from './http-error.js';

/**
 * The options of one enqueue: the request's, then the route's defaults for what it left out. JSON
 * has no dates, so a string `eta`/`expires` (already checked as RFC 3339) becomes a `Date`, which
 * core reads as a point in time, while a number keeps core's meaning (a timestamp for `eta`, ms
 * from now for `expires`). Conflicts (`countdown` with `eta`) are left to core, which names them.
 */
export function toApplyOptions(requested: EnqueueRequest['options'], defaults: ExposedTaskDefaults): ApplyOptions {
  const o = requested ?? {};
  const apply: ApplyOptions = {};
  if (defaults.queue !== undefined) apply.queue = defaults.queue;
  const priority = o.priority ?? defaults.priority;
  if (priority !== undefined) apply.priority = priority;
  if (o.countdown !== undefined || o.eta !== undefined) {
    if (o.countdown !== undefined) apply.countdown = o.countdown;
    if (o.eta !== undefined) apply.eta = typeof o.eta === 'string' ? toDate(o.eta, 'eta') : o.eta;
  } else if (defaults.countdown !== undefined) {
    apply.countdown = defaults.countdown;
  }
  const expires = o.expires === undefined ? defaults.expires : typeof o.expires === 'string' ? toDate(o.expires, 'expires') : o.expires;
  if (expires !== undefined) apply.expires = expires;
  return apply;
}

function toDate(text: string, option: string): Date {
  const time = Date.parse(text);
  // The format check lets through a few strings Date cannot read, such as a leap second.
  if (Number.isNaN(time)) throw new HttpError(400, 'INVALID_OPTION', `body/options/${option} is not a date-time JavaScript can read: ${JSON.stringify(text)}`);
  return new Date(time);
}
