import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/**
 * A worker's name: readable like Celery's `celery@host`, with the pid and a random suffix because
 * one process may run several workers and a pid is reused after a restart.
 */
export function workerId(): string {
  return `celeriac@${hostname()}:${process.pid}:${randomBytes(2).toString('hex')}`;
}
