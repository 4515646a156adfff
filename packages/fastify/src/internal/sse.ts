import type { Writable } from 'node:stream';
import type { AsyncResult, TaskRecord } from '@celeriac/core';
import type { FastifyBaseLogger } from 'fastify';
import { toTaskStatus } from '../task-status.js';
import type { TaskStatusEvent } from '../wire-types.js';
import { LatestFrameWriter } from './latest-frame-writer.js';

/** Proxies and load balancers drop connections idle for a minute or so; a comment line keeps them open. */
const HEARTBEAT_MS = 15_000;

/** One record as an SSE message: its `seq` as the event id, so a reconnecting EventSource resumes after it. */
export function eventFrame(record: TaskRecord): string {
  const data: TaskStatusEvent = { ...toTaskStatus(record), seq: record.seq };
  // JSON.stringify escapes newlines, so the data always fits on one `data:` line.
  return `id: ${record.seq}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** The `Last-Event-ID` a reconnecting EventSource sends, when it is one of ours (a seq). */
export function parseLastEventId(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || !/^\d{1,15}$/.test(value)) return undefined;
  return Number(value);
}

/**
 * Writes every update of `result` newer than `lastSeen` to `out` until the task ends or `signal`
 * aborts (the client left, or the server is closing), then ends `out`. A client that reads slower
 * than the task reports gets the newest update when it catches up, not a growing backlog (see
 * LatestFrameWriter). Never rejects: a failing store ends the stream, and the client's
 * EventSource reconnects and resumes.
 */
export async function pumpUpdates(result: AsyncResult, out: Writable, signal: AbortSignal, lastSeen: number, log: FastifyBaseLogger): Promise<void> {
  const writer = new LatestFrameWriter(out);
  const heartbeat = setInterval(() => writer.keepAlive(': keep-alive\n\n'), HEARTBEAT_MS);
  heartbeat.unref();
  try {
    for await (const record of result.updates({ signal })) {
      if (record.seq > lastSeen) writer.write(eventFrame(record));
    }
  } catch (error) {
    log.error({ err: error, taskId: result.id }, 'task event stream stopped: could not follow the task');
  } finally {
    clearInterval(heartbeat);
    writer.end();
  }
}
