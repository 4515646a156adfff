import type { WorkersAndEventsKeys } from '@celeriac/redis/adapter';

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
  /** Queues Celeriac sent to, served or paused (a set), and those paused (a set): Celery reads neither. */
  readonly queues: string;
  readonly paused: string;
  /** Workers and events (TaskStore section 8). */
  readonly workers: string;
  readonly events: string;
  readonly eventsAppended: string;
  readonly control: string;
  /** User states (PROGRESS…) some record was filed under, for `taskCounts`. */
  readonly userStates: string;

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
    this.queues = `${prefix}celeriac.queues`;
    this.paused = `${prefix}celeriac.paused`;
    this.workers = `${prefix}celeriac.workers`;
    this.events = `${prefix}celeriac.events`;
    this.eventsAppended = `${prefix}celeriac.events.appended`;
    this.control = `${prefix}celeriac.control`;
    this.userStates = `${prefix}celeriac.user-states`;
  }

  list(name: string): string {
    return this.prefix + name;
  }

  /** Celery's result key and channel for a task. */
  meta(id: string): string {
    return `${this.prefix}celery-task-meta-${id}`;
  }

  /** Celery's chord counters of a group (`.j` results, `.t` size change, `.s` size), as its Redis backend names them. */
  chord(group: string, suffix: '.j' | '.t' | '.s'): string {
    return `${this.prefix}celery-taskset-meta-${group}${suffix}`;
  }

  group(id: string): string {
    return `${this.prefix}celeriac.group:${id}`;
  }

  /**
   * TaskStore section 8 laid out as @celeriac/redis lays it out, under `celeriac.*` keys: Celery's
   * own worker events (`celeryev`) and remote control (`pidbox`) are separate and untouched, so
   * Celery workers are not listed by `app.workers` and do not answer its pings.
   */
  workersAndEvents(): WorkersAndEventsKeys {
    return { workers: this.workers, worker: (id) => this.worker(id), events: this.events, appended: this.eventsAppended, control: this.control };
  }

  worker(id: string): string {
    return `${this.prefix}celeriac.worker:${id}`;
  }

  /** The ids whose record is in `state` (a zset scored by the time they entered it, ms). */
  tasksIn(state: string): string {
    return `${this.prefix}celeriac.tasks:${state}`;
  }

  /** The message a task was sent with (`ResultBackend.remember`). */
  message(id: string): string {
    return `${this.prefix}celeriac.message:${id}`;
  }

  /** A task's changes of state as Celeriac wrote them (a list of JSON entries). */
  timeline(id: string): string {
    return `${this.prefix}celeriac.timeline:${id}`;
  }

  value(key: string): string {
    return `${this.prefix}celeriac.value:${key}`;
  }
}
