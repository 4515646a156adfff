/**
 * The keys of a Celery deployment on Redis: kombu's (queue lists, `unacked`, `unacked_index`),
 * Celery's result backend's (`celery-task-meta-<id>`), and Celeriac's own, named `celeriac.*` so
 * neither Celery nor kombu ever reads or deletes them. `prefix` plays the part of kombu's
 * `global_keyprefix` (empty for Celery 5.2, which has none).
 */
export class CeleryKeys {
  readonly unacked: string;
  readonly unackedIndex: string;
  readonly leases: string;
  readonly deliveries: string;
  readonly revoked: string;
  readonly parked: string;
  readonly deadLetters: string;
  readonly ratePrefix: string;
  readonly revokeChannel: string;

  constructor(readonly prefix: string) {
    this.unacked = `${prefix}unacked`;
    this.unackedIndex = `${prefix}unacked_index`;
    this.leases = `${prefix}celeriac.leases`;
    this.deliveries = `${prefix}celeriac.deliveries`;
    this.revoked = `${prefix}celeriac.revoked`;
    this.parked = `${prefix}celeriac.parked`;
    this.deadLetters = `${prefix}celeriac.dead-letters`;
    this.ratePrefix = `${prefix}celeriac.rate:`;
    this.revokeChannel = `${prefix}celeriac.revoked`;
  }

  list(name: string): string {
    return this.prefix + name;
  }

  /** Celery's result key and channel for a task. */
  meta(id: string): string {
    return `${this.prefix}celery-task-meta-${id}`;
  }

  group(id: string): string {
    return `${this.prefix}celeriac.group:${id}`;
  }

  value(key: string): string {
    return `${this.prefix}celeriac.value:${key}`;
  }
}
