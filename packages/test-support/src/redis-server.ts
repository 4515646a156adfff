import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { endProcess, forgetDir, removeDirAtExit, spawnRedisProcess } from './redis-process.js';

export interface RedisServerOptions {
  /** Persist writes in an append-only file in the server's directory, so `restart()` keeps them. @defaultValue `false` */
  appendOnly?: boolean;
  /** AOF fsync policy; `always` makes every acknowledged write survive a kill. @defaultValue `'always'` */
  appendFsync?: 'always' | 'everysec' | 'no';
  /** The server binary. @defaultValue `'redis-server'` (from PATH) */
  binary?: string;
  /** How long to wait for "Ready to accept connections", in ms. @defaultValue `10_000` */
  startTimeout?: number;
}

/** A redis-server owned by a test. */
export interface RedisServer {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** The server's working directory (the AOF lives here); removed by `stop()` or when the process exits. */
  readonly dir: string;
  /** The end of the server: graceful shutdown (SIGTERM) if running, then removes `dir`. Idempotent. */
  stop(): Promise<void>;
  /** Stops gracefully if running, then starts again on the same port and directory: AOF data survives. */
  restart(): Promise<void>;
  /** SIGKILL, as a crash would. `dir` is kept, so `restart()` brings the server back with its AOF. */
  kill(): Promise<void>;
}

/** Spawns `redis-server` on a free loopback port with a temporary directory and no RDB snapshots. */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const dir = await mkdtemp(join(tmpdir(), 'celeriac-redis-'));
  removeDirAtExit(dir);
  let lastError: unknown;
  // A port found free can be taken before redis binds it: retry with another one.
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    try {
      const child = await spawnServer(options, port, dir);
      return new SpawnedServer(options, port, dir, child);
    } catch (error) {
      lastError = error;
    }
  }
  forgetDir(dir);
  await rm(dir, { recursive: true, force: true });
  throw lastError;
}

class SpawnedServer implements RedisServer {
  readonly host = '127.0.0.1';
  #child: ChildProcess | undefined;
  #removed = false;

  constructor(
    private readonly options: RedisServerOptions,
    readonly port: number,
    readonly dir: string,
    child: ChildProcess,
  ) {
    this.#child = child;
  }

  get url(): string {
    return `redis://${this.host}:${this.port}`;
  }

  async stop(): Promise<void> {
    await this.#end('SIGTERM');
    await this.#removeDir();
  }

  async restart(): Promise<void> {
    if (this.#removed) throw new Error('RedisServer.restart(): the server was stopped for good');
    await this.#end('SIGTERM');
    this.#child = await spawnServer(this.options, this.port, this.dir);
  }

  async kill(): Promise<void> {
    await this.#end('SIGKILL');
  }

  async #end(signal: NodeJS.Signals): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    await endProcess(child, signal);
  }

  async #removeDir(): Promise<void> {
    if (this.#removed) return;
    this.#removed = true;
    forgetDir(this.dir);
    await rm(this.dir, { recursive: true, force: true });
  }
}

function spawnServer(options: RedisServerOptions, port: number, dir: string): Promise<ChildProcess> {
  const args = [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--dir', dir,
    '--save', '',
    '--appendonly', options.appendOnly === true ? 'yes' : 'no',
    '--appendfsync', options.appendFsync ?? 'always',
    '--daemonize', 'no',
    '--logfile', '',
    '--loglevel', 'notice',
  ];
  return spawnRedisProcess({ binary: options.binary, args, readyText: 'Ready to accept connections', timeoutMs: options.startTimeout ?? 10_000, label: `redis-server on port ${port}` });
}

/**
 * A Redis for ordinary (non-fault) tests: `REDIS_URL` when set, else a spawned server. Tests that
 * restart or kill Redis must call {@link startRedisServer} instead and own their server.
 */
export async function redisForTests(): Promise<{ url: string; stop(): Promise<void> }> {
  const url = process.env.REDIS_URL;
  if (url !== undefined && url !== '') return { url, stop: async () => undefined };
  const server = await startRedisServer();
  return { url: server.url, stop: () => server.stop() };
}
