import { PassThrough } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { KeyedFrameWriter } from './keyed-frame-writer.js';

/** Proxies and load balancers drop connections idle for a minute or so; a comment line keeps them open. */
const HEARTBEAT_MS = 15_000;

/** One open Server-Sent Events response. */
export interface EventStream {
  /** Sends `data` as one event; a newer event of the same key replaces one still waiting for a slow client. */
  send(key: string, data: string): void;
  /** Aborted when the client leaves or the server closes. */
  readonly signal: AbortSignal;
}

/**
 * Answers `request` with an event stream and calls `run` with it; the stream ends when the client
 * leaves or the server closes (`streams` holds one controller per open stream, aborted on close).
 * `run` returns its cleanup, called once the stream is over.
 */
export function openEventStream(request: FastifyRequest, reply: FastifyReply, streams: Set<AbortController>, run: (stream: EventStream) => () => void): FastifyReply {
  const controller = new AbortController();
  const stop = () => controller.abort();
  const out = new PassThrough();
  const writer = new KeyedFrameWriter(out);
  // Writing after the client left may error the stream; an unhandled 'error' would crash the process.
  out.on('error', stop);
  reply.raw.once('close', stop);
  streams.add(controller);
  const heartbeat = setInterval(() => writer.keepAlive(), HEARTBEAT_MS);
  heartbeat.unref();
  // JSON.stringify escapes newlines, so the data always fits on one `data:` line.
  const cleanup = run({ send: (key, data) => writer.write(key, `data: ${data}\n\n`), signal: controller.signal });
  const finish = () => {
    clearInterval(heartbeat);
    cleanup();
    streams.delete(controller);
    reply.raw.off('close', stop);
    writer.end();
  };
  if (controller.signal.aborted || request.raw.destroyed) finish();
  else controller.signal.addEventListener('abort', finish, { once: true });
  return reply
    .code(200)
    .header('content-type', 'text/event-stream')
    .header('cache-control', 'no-cache')
    .header('x-accel-buffering', 'no') // nginx would otherwise buffer the stream
    .send(out);
}
