/**
 * What travels on the store's broadcast channel (`TaskStore.broadcast`): a ping to every live
 * worker, and each worker's reply. JSON, so any process (any language) can read and answer it.
 */
export type ControlMessage = { type: 'ping'; id: string } | { type: 'pong'; id: string; worker: string; host: string; pid: number };

/** A live worker's answer to `app.workers.ping()`. */
export interface PingReply {
  /** The worker's id (`Worker.id`). */
  worker: string;
  host: string;
  pid: number;
  /** From the ping sent to this reply received, in ms. */
  latencyMs: number;
}

export function encodeControl(message: ControlMessage): string {
  return JSON.stringify(message);
}

/** The control message in `raw`, or undefined for anything else on the channel. */
export function decodeControl(raw: string): ControlMessage | undefined {
  try {
    const value = JSON.parse(raw) as Partial<ControlMessage> | null;
    if (value === null || typeof value !== 'object' || typeof value.id !== 'string') return undefined;
    if (value.type === 'ping') return value as ControlMessage;
    if (value.type === 'pong' && typeof value.worker === 'string') return value as ControlMessage;
  } catch {
    // not ours
  }
  return undefined;
}
