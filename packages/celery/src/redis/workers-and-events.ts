import type { BroadcastListener, EventsListener, WorkerInfo } from '@celeriac/core/adapter';
import type { Redis } from 'ioredis';
import type { Channels } from './channels.js';
import type { CeleryKeys } from './keys.js';

/** Most events read per XRANGE while a follower catches up. */
const READ_PAGE = 1_000;

/**
 * TaskStore section 8 on a Celery deployment's Redis, all under `celeriac.*` keys Celery never
 * reads, laid out as @celeriac/redis lays them out: `celeriac.workers` (a set of ids) with
 * `celeriac.worker:<id>` holding each worker's info and expiring with its heartbeat's TTL;
 * `celeriac.events` a stream (field `e`, `MAXLEN ~ eventLimit`) whose appends are announced on
 * `celeriac.events.appended`; broadcasts on `celeriac.control`. Celery's own worker events
 * (`celeryev`) and remote control (`pidbox`) are separate and untouched: Celery workers are not
 * listed by `app.workers` and do not answer its pings.
 */
export class CeleryWorkersAndEvents {
  constructor(
    private readonly redis: Redis,
    private readonly keys: CeleryKeys,
    private readonly channels: Channels,
    private readonly eventLimit: number,
  ) {}

  async heartbeatWorker(info: WorkerInfo, ttlMs: number): Promise<void> {
    await this.redis.multi().sadd(this.keys.workers, info.id).set(this.keys.worker(info.id), JSON.stringify(info), 'PX', Math.max(1, Math.round(ttlMs))).exec();
  }

  async removeWorker(id: string): Promise<void> {
    await this.redis.multi().srem(this.keys.workers, id).del(this.keys.worker(id)).exec();
  }

  async workers(): Promise<WorkerInfo[]> {
    const ids = await this.redis.smembers(this.keys.workers);
    if (ids.length === 0) return [];
    const values = await this.redis.mget(...ids.map((id) => this.keys.worker(id)));
    // A worker whose heartbeat lapsed (killed) leaves the set too; beating again re-adds it.
    const gone = ids.filter((_, i) => values[i] === null);
    if (gone.length > 0) await this.redis.srem(this.keys.workers, ...gone);
    return values.filter((v): v is string => v !== null).map((v) => JSON.parse(v) as WorkerInfo);
  }

  async broadcast(message: string): Promise<void> {
    await this.redis.publish(this.keys.control, message);
  }

  onBroadcast(listener: BroadcastListener): Promise<() => void> {
    return this.channels.listen(this.keys.control, listener);
  }

  async appendEvents(events: readonly string[]): Promise<void> {
    if (events.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const event of events) pipeline.xadd(this.keys.events, 'MAXLEN', '~', this.eventLimit, '*', 'e', event);
    pipeline.publish(this.keys.eventsAppended, '1');
    const failed = ((await pipeline.exec()) ?? []).find(([error]) => error !== null);
    if (failed !== undefined) throw failed[0];
  }

  async recentEvents(limit: number): Promise<string[]> {
    const entries = await this.redis.xrevrange(this.keys.events, '+', '-', 'COUNT', limit);
    return entries.reverse().map(eventOf);
  }

  /**
   * A follower is told of each append and reads what it has not seen with XRANGE after the last
   * id it delivered: no event twice, none missed, a reconnect included (it reads again then).
   */
  async followEvents(listener: EventsListener, since?: number): Promise<() => void> {
    const { redis, keys } = this;
    let stopped = false;
    let last: string | undefined;
    let reading: Promise<void> = Promise.resolve();
    const read = async (): Promise<void> => {
      for (;;) {
        if (stopped || last === undefined) return;
        const entries = await redis.xrange(keys.events, `(${last}`, '+', 'COUNT', READ_PAGE);
        if (stopped || entries.length === 0) return;
        last = (entries[entries.length - 1] as [string, string[]])[0];
        listener(entries.map(eventOf));
        if (entries.length < READ_PAGE) return;
      }
    };
    const pull = () => {
      reading = reading.then(read).catch(() => undefined); // events are a hint: the next notice reads again
    };
    const unlisten = await this.channels.listen(keys.eventsAppended, pull);
    const offResync = this.channels.onResync(pull);
    if (since === undefined) {
      const [tail] = await redis.xrevrange(keys.events, '+', '-', 'COUNT', 1);
      last = tail === undefined ? '0-0' : tail[0];
    } else {
      last = since <= 0 ? '0-0' : `${Math.floor(since) - 1}-18446744073709551615`;
    }
    pull();
    return () => {
      stopped = true;
      unlisten();
      offResync();
    };
  }
}

function eventOf(entry: [string, string[]]): string {
  const fields = entry[1];
  return fields[0] === 'e' ? (fields[1] ?? '') : '';
}
