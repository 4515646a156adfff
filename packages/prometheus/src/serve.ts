import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MetricsSource } from './metrics.js';

export interface MetricsServerOptions {
  /** The port to listen on; `0` takes a free one. */
  port: number;
  /** @defaultValue `'0.0.0.0'` (every interface, so Prometheus can reach it) */
  host?: string;
  /** @defaultValue `'/metrics'` */
  path?: string;
}

export interface MetricsServer {
  /** The port it listens on (the one picked, with `port: 0`). */
  readonly port: number;
  close(): Promise<void>;
}

/**
 * A tiny `node:http` server answering `GET <path>` with `source`'s metrics (what
 * `celeriac worker --metrics-port` runs): for a worker process that has no HTTP server of its own.
 */
export async function serveMetrics(source: MetricsSource, options: MetricsServerOptions): Promise<MetricsServer> {
  const path = options.path ?? '/metrics';
  const server: Server = createServer((request, response) => {
    if (request.method !== 'GET' || (request.url ?? '').split('?')[0] !== path) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: metrics are at GET ${path}\n`);
      return;
    }
    source.metrics().then(
      (text) => response.writeHead(200, { 'content-type': source.contentType }).end(text),
      (error: unknown) => response.writeHead(500, { 'content-type': 'text/plain' }).end(`could not collect metrics: ${(error as Error).message}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
