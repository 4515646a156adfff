import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { RedisProcesses, redisCli, spawnRedisProcess, waitFor } from './redis-process.js';

export interface RedisSentinelOptions {
  /** The name the sentinels monitor the master under. @defaultValue `'celeriac'` */
  name?: string;
  /** Sentinels. A majority of them (the quorum) must agree that the master is down. @defaultValue `3` */
  sentinels?: number;
  /** `down-after-milliseconds`: how long the master may be unreachable before a failover starts. @defaultValue `2_000` */
  downAfter?: number;
  /** How long start-up may take, in ms. @defaultValue `60_000` */
  startTimeout?: number;
  /** The server binary. @defaultValue `'redis-server'` (from PATH) */
  binary?: string;
}

export interface RedisSentinelServer {
  readonly host: string;
  readonly port: number;
  readonly url: string;
}

/** A master, its replica and the sentinels watching them, owned by a test. */
export interface RedisSentinelSetup {
  /** The master's name for the sentinels (ioredis's `name`). */
  readonly name: string;
  /** The sentinels' addresses (ioredis's `sentinels`). */
  readonly sentinels: readonly { readonly host: string; readonly port: number }[];
  /** The two data servers: the first master at the start, then its replica. */
  readonly servers: readonly RedisSentinelServer[];
  /** Where everything lives; removed by `stop()`. */
  readonly dir: string;
  /** The master as the sentinels report it now. */
  master(): Promise<RedisSentinelServer>;
  /** SIGKILL of a data server, as a crash would. */
  kill(server: RedisSentinelServer): Promise<void>;
  /**
   * Starts a killed data server again on its port, empty and as a master; the sentinels turn it
   * into a replica of the current master. Resolves once that replica is in sync.
   */
  restart(server: RedisSentinelServer): Promise<void>;
  /** `SENTINEL FAILOVER`: resolves once every sentinel reports the other server as master and it says so itself. */
  failover(): Promise<RedisSentinelServer>;
  /** Resolves once every sentinel reports a master other than `previous`, and that server says it is master. */
  waitForNewMaster(previous: RedisSentinelServer, timeoutMs?: number): Promise<RedisSentinelServer>;
  /** Kills every process and removes `dir`. Idempotent. */
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';

/**
 * Starts a Sentinel set-up for a test: a master, one replica, and three `redis-server --sentinel`
 * processes (quorum 2), each on a free loopback port; resolved once the replica is in sync and every
 * sentinel knows the master, the replica and the other sentinels. Nothing persists.
 */
export async function startRedisSentinel(options: RedisSentinelOptions = {}): Promise<RedisSentinelSetup> {
  const name = options.name ?? 'celeriac';
  const count = options.sentinels ?? 3;
  const timeoutMs = options.startTimeout ?? 60_000;
  const dir = await mkdtemp(join(tmpdir(), 'celeriac-sentinel-'));
  const setup = new SpawnedSentinel(name, dir, options.binary);
  try {
    const master = await setup.addServer(timeoutMs, undefined);
    await setup.addServer(timeoutMs, master);
    await waitFor(async () => (await redisCli(setup.servers[1]!.port, ['INFO', 'replication'])).includes('master_link_status:up'), timeoutMs, 'the replica to sync');
    const quorum = Math.floor(count / 2) + 1;
    for (let i = 0; i < count; i++) await setup.addSentinel(timeoutMs, master, quorum, options.downAfter ?? 2_000);
    await waitFor(
      async () => {
        for (const sentinel of setup.sentinels) {
          const others = await redisCli(sentinel.port, ['SENTINEL', 'SENTINELS', name]);
          const replicas = await redisCli(sentinel.port, ['SENTINEL', 'REPLICAS', name]);
          if (countOf(others, 'name') < count - 1 || !replicas.includes(String(setup.servers[1]!.port))) return false;
        }
        return true;
      },
      timeoutMs,
      'every sentinel to know the master, the replica and the other sentinels',
    );
    return setup;
  } catch (error) {
    await setup.stop();
    throw error;
  }
}

/** How many times `field` appears as a line of redis-cli's flat output of maps. */
function countOf(text: string, field: string): number {
  return text.split('\n').filter((line) => line.trim() === field).length;
}

class SpawnedSentinel implements RedisSentinelSetup {
  readonly servers: RedisSentinelServer[] = [];
  readonly sentinels: { host: string; port: number }[] = [];
  readonly #processes: RedisProcesses;
  /** Each data server's command line, for restart(). */
  readonly #args = new Map<number, string[]>();

  constructor(
    readonly name: string,
    readonly dir: string,
    private readonly binary: string | undefined,
  ) {
    this.#processes = new RedisProcesses(dir);
  }

  async addServer(timeoutMs: number, master: RedisSentinelServer | undefined): Promise<RedisSentinelServer> {
    return this.#spawn(timeoutMs, 'Ready to accept connections', async (port) => {
      const args = ['--port', String(port), '--bind', HOST, '--dir', this.dir, '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--logfile', ''];
      if (master !== undefined) args.push('--replicaof', HOST, String(master.port));
      this.#args.set(port, args);
      return args;
    }, (port) => {
      const server = { host: HOST, port, url: `redis://${HOST}:${port}` };
      this.servers.push(server);
      return server;
    });
  }

  async addSentinel(timeoutMs: number, master: RedisSentinelServer, quorum: number, downAfter: number): Promise<void> {
    await this.#spawn(timeoutMs, '+monitor master', async (port) => {
      // A sentinel rewrites its configuration file: each gets its own.
      const file = join(this.dir, `sentinel-${port}.conf`);
      const config = [
        `port ${port}`,
        `bind ${HOST}`,
        `dir ${this.dir}`,
        `sentinel monitor ${this.name} ${HOST} ${master.port} ${quorum}`,
        `sentinel down-after-milliseconds ${this.name} ${downAfter}`,
        `sentinel failover-timeout ${this.name} ${Math.max(10_000, downAfter * 5)}`,
        `sentinel parallel-syncs ${this.name} 1`,
      ];
      await writeFile(file, `${config.join('\n')}\n`);
      return [file, '--sentinel', '--logfile', ''];
    }, (port) => {
      this.sentinels.push({ host: HOST, port });
    });
  }

  async master(): Promise<RedisSentinelServer> {
    const [host = HOST, port = ''] = (await this.#askSentinel(['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', this.name])).trim().split('\n');
    return { host, port: Number(port), url: `redis://${host}:${port}` };
  }

  kill(server: RedisSentinelServer): Promise<void> {
    return this.#processes.kill(server.port);
  }

  async restart(server: RedisSentinelServer): Promise<void> {
    const args = this.#args.get(server.port)?.filter((_, i, all) => all[i] !== '--replicaof' && all[i - 1] !== '--replicaof' && all[i - 2] !== '--replicaof');
    if (args === undefined) throw new Error(`port ${server.port} is no data server of this set-up`);
    if (this.#processes.has(server.port)) throw new Error(`the server on port ${server.port} is running: kill() it first`);
    const child = await spawnRedisProcess({ binary: this.binary, args, readyText: 'Ready to accept connections', timeoutMs: 60_000, label: `redis-server on port ${server.port}` });
    this.#processes.add(server.port, child);
    await waitFor(async () => {
      const replication = await redisCli(server.port, ['INFO', 'replication']);
      return replication.includes('role:slave') && replication.includes('master_link_status:up');
    }, 60_000, `the sentinels to make port ${server.port} a replica again, in sync`);
  }

  async failover(): Promise<RedisSentinelServer> {
    const previous = await this.master();
    await this.#askSentinel(['SENTINEL', 'FAILOVER', this.name]);
    return this.waitForNewMaster(previous);
  }

  async waitForNewMaster(previous: RedisSentinelServer, timeoutMs = 60_000): Promise<RedisSentinelServer> {
    let found: RedisSentinelServer | undefined;
    await waitFor(
      async () => {
        const ports = new Set<string>();
        for (const sentinel of this.sentinels) {
          if (!this.#processes.has(sentinel.port)) continue;
          ports.add((await redisCli(sentinel.port, ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', this.name])).trim().split('\n')[1] ?? '');
        }
        const [port] = [...ports];
        if (ports.size !== 1 || port === undefined || Number(port) === previous.port) return false;
        if (!(await redisCli(Number(port), ['ROLE'])).startsWith('master')) return false;
        found = { host: HOST, port: Number(port), url: `redis://${HOST}:${port}` };
        return true;
      },
      timeoutMs,
      `the sentinels to promote a new master in place of port ${previous.port}`,
    );
    return found as RedisSentinelServer;
  }

  stop(): Promise<void> {
    return this.#processes.stop();
  }

  async #askSentinel(args: readonly string[]): Promise<string> {
    const sentinel = this.sentinels.find((s) => this.#processes.has(s.port));
    if (sentinel === undefined) throw new Error('every sentinel is down');
    return redisCli(sentinel.port, args);
  }

  async #spawn<T>(timeoutMs: number, readyText: string, argsFor: (port: number) => Promise<string[]>, started: (port: number) => T): Promise<T> {
    let lastError: unknown;
    // A port found free can be taken before redis binds it: retry with another one.
    for (let attempt = 0; attempt < 5; attempt++) {
      const port = await freePort();
      try {
        const child = await spawnRedisProcess({ binary: this.binary, args: await argsFor(port), readyText, timeoutMs, label: `redis-server on port ${port}` });
        this.#processes.add(port, child);
        return started(port);
      } catch (error) {
        lastError = error;
      }
    }
    throw lastError;
  }
}
