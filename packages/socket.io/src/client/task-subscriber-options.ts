export interface TaskSubscriberOptions {
  /**
   * How long to wait, while connected, for the server to acknowledge a subscription before the
   * task's promise rejects with code `TIMEOUT`. A disconnect does not count: the subscriber
   * subscribes again once the socket reconnects.
   * @defaultValue `10_000`
   */
  ackTimeout?: number;
}

export interface ResolvedTaskSubscriberOptions {
  ackTimeout: number;
}

export const DEFAULT_TASK_SUBSCRIBER_OPTIONS: Readonly<ResolvedTaskSubscriberOptions> = Object.freeze({ ackTimeout: 10_000 });

/** Checked eagerly; a `TypeError` (not core's error class, which browsers do not load) naming the option. */
export function resolveTaskSubscriberOptions(options: TaskSubscriberOptions | undefined, where: string): ResolvedTaskSubscriberOptions {
  const o = options ?? {};
  if (typeof o !== 'object' || o === null) throw new TypeError(`${where}: option "options" must be an object, got ${String(o)}`);
  for (const key of Object.keys(o)) {
    if (key !== 'ackTimeout') throw new TypeError(`${where}: option "${key}" is not a known option (known: ackTimeout)`);
  }
  const { ackTimeout } = o;
  if (ackTimeout !== undefined && (typeof ackTimeout !== 'number' || !Number.isFinite(ackTimeout) || ackTimeout <= 0)) {
    throw new TypeError(`${where}: option "ackTimeout" must be a positive number of milliseconds, got ${String(ackTimeout)}`);
  }
  return { ackTimeout: ackTimeout ?? DEFAULT_TASK_SUBSCRIBER_OPTIONS.ackTimeout };
}
