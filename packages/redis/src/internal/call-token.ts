import { randomBytes } from 'node:crypto';

// Unique per call across processes: a process-random prefix and a counter.
const processPrefix = randomBytes(6).toString('base64url');
let counter = 0;

/**
 * A token naming one script call, so that Redis can recognize the same call sent again after a
 * reconnect (ioredis resends calls whose reply was lost) and answer it without running it twice.
 * A guarantee, not an optimization: it has no switch.
 */
export function nextCallToken(): string {
  return `${processPrefix}${(++counter).toString(36)}`;
}
