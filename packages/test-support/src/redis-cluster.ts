import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { RedisProcesses, redisCli, spawnRedisProcess, waitFor } from './redis-process.js';

export interface RedisClusterOptions {
  /** Masters, each owning an equal share of the 16 384 slots. @defaultValue `3` */
  masters?: number;
  /** Replicas of each master. @defaultValue `1` */
  replicasPerMaster?: number;
  /**
   * `cluster-node-timeout`, in ms: how long a master may be unreachable before its replica takes
   * over. Short, so failover tests are quick; long enough that a loaded machine does not fail
   * nodes over by itself. @defaultValue `3_000`
   */
  nodeTimeout?: number;
  /** How long start-up may take (spawning, `redis-cli --cluster create`, every node agreeing), in ms. @defaultValue `120_000` */
  startTimeout?: number;
  /** The server binary. @defaultValue `'redis-server'` (from PATH) */
  binary?: string;
}

/** One node of a test cluster. */
export interface RedisClusterNode {
  readonly host: string;
  readonly port: number;
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
}

/** A master and its replicas as the cluster sees them at one moment. */
export interface RedisClusterShard {
  readonly master: RedisClusterNode;
  readonly replicas: readonly RedisClusterNode[];
  /** Slot ranges, inclusive. */
  readonly slots: readonly (readonly [from: number, to: number])[];
}

/** A Redis Cluster owned by a test: every node on its own free loopback ports, in one temporary directory. */
export interface RedisCluster {
  /** Every node started, masters and replicas (as first assigned). Pass them as cluster start-up nodes. */
  readonly nodes: readonly RedisClusterNode[];
  /** The nodes' working directory (their `nodes-<port>.conf`); removed by `stop()`. */
  readonly dir: string;
  /** The shards as the cluster sees them now (from `CLUSTER NODES` on a live node); failed nodes are left out. */
  shards(): Promise<RedisClusterShard[]>;
  /** The shard whose master serves `key`'s slot now. */
  shardOf(key: string): Promise<RedisClusterShard>;
  /** SIGKILL of one node, as a crash would. Its replica takes over after `nodeTimeout`. */
  kill(node: RedisClusterNode): Promise<void>;
  /**
   * Starts a killed node again on its port, with its cluster configuration but no data: a master
   * whose slots went to its replica comes back as that replica's replica. Resolves once it serves.
   */
  restart(node: RedisClusterNode): Promise<void>;
  /** `CLUSTER FAILOVER` on a replica: resolves once it is master and the cluster is healthy again. */
  failover(replica: RedisClusterNode): Promise<void>;
  /**
   * Resolves once every live node says `cluster_state:ok` and sees every slot served by a live
   * master, and at least `syncedReplicas` replicas are in sync with their masters.
   */
  waitHealthy(timeoutMs?: number, syncedReplicas?: number): Promise<void>;
  /** Kills every node and removes `dir`. Idempotent. */
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
const SLOTS = 16_384;

/**
 * Starts a Redis Cluster for a test (3 masters with a replica each by default): `redis-server
 * --cluster-enabled yes` per node, joined by `redis-cli --cluster create`, resolved once every node
 * says `cluster_state:ok`, sees every slot served, and every replica is in sync with its master.
 * Nodes never persist (`--save ''`, `--appendonly no`).
 */
export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<RedisCluster> {
  const masters = options.masters ?? 3;
  const replicas = options.replicasPerMaster ?? 1;
  const startTimeout = options.startTimeout ?? 120_000;
  const dir = await mkdtemp(join(tmpdir(), 'celeriac-cluster-'));
  const cluster = new SpawnedCluster(dir, options.nodeTimeout ?? 3_000, options.binary);
  try {
    for (let i = 0; i < masters * (1 + replicas); i++) await cluster.addNode(startTimeout);
    // redis-cli makes the first `masters` nodes masters and spreads the rest over them as replicas.
    await redisCli(cluster.nodes[0]!.port, ['--cluster', 'create', ...cluster.nodes.map((n) => `${HOST}:${n.port}`), '--cluster-replicas', String(replicas), '--cluster-yes'], startTimeout);
    await cluster.waitHealthy(startTimeout, masters * replicas);
    return cluster;
  } catch (error) {
    await cluster.stop();
    throw error;
  }
}

interface ClusterNodeLine {
  readonly id: string;
  readonly port: number;
  readonly flags: readonly string[];
  readonly masterId: string;
  readonly slots: (readonly [number, number])[];
}

class SpawnedCluster implements RedisCluster {
  readonly nodes: RedisClusterNode[] = [];
  readonly #processes: RedisProcesses;
  /** Each node's command line, for restart(). */
  readonly #args = new Map<number, string[]>();

  constructor(
    readonly dir: string,
    private readonly nodeTimeout: number,
    private readonly binary: string | undefined,
  ) {
    this.#processes = new RedisProcesses(dir);
  }

  async addNode(timeoutMs: number): Promise<void> {
    let lastError: unknown;
    // A port found free can be taken before redis binds it: retry with others.
    for (let attempt = 0; attempt < 5; attempt++) {
      const port = await freePort();
      const busPort = await freePort();
      if (port === busPort) continue;
      const args = [
        '--port', String(port),
        '--cluster-port', String(busPort),
        '--bind', HOST,
        '--dir', this.dir,
        '--cluster-enabled', 'yes',
        '--cluster-config-file', `nodes-${port}.conf`,
        '--cluster-node-timeout', String(this.nodeTimeout),
        // A replica may always take over, however long its link was down (tests kill masters).
        '--cluster-replica-validity-factor', '0',
        '--save', '',
        '--appendonly', 'no',
        '--daemonize', 'no',
        '--logfile', '',
        '--loglevel', 'notice',
      ];
      try {
        const child = await spawnRedisProcess({ binary: this.binary, args, readyText: 'Ready to accept connections', timeoutMs, label: `cluster node on port ${port}` });
        this.#processes.add(port, child);
        this.#args.set(port, args);
        this.nodes.push({ host: HOST, port, url: `redis://${HOST}:${port}` });
        return;
      } catch (error) {
        lastError = error;
      }
    }
    throw lastError;
  }

  async shards(): Promise<RedisClusterShard[]> {
    const lines = await this.#clusterNodes(this.#liveNodes()[0]);
    return shardsOf(lines);
  }

  async shardOf(key: string): Promise<RedisClusterShard> {
    const live = this.#liveNodes()[0];
    const slot = Number((await redisCli(live.port, ['CLUSTER', 'KEYSLOT', key])).trim());
    const shard = (await this.shards()).find((s) => s.slots.some(([from, to]) => slot >= from && slot <= to));
    if (shard === undefined) throw new Error(`no live master serves slot ${slot} (key ${key})`);
    return shard;
  }

  kill(node: RedisClusterNode): Promise<void> {
    return this.#processes.kill(node.port);
  }

  async restart(node: RedisClusterNode): Promise<void> {
    const args = this.#args.get(node.port);
    if (args === undefined) throw new Error(`port ${node.port} is no node of this cluster`);
    if (this.#processes.has(node.port)) throw new Error(`the node on port ${node.port} is running: kill() it first`);
    const child = await spawnRedisProcess({ binary: this.binary, args, readyText: 'Ready to accept connections', timeoutMs: 60_000, label: `cluster node on port ${node.port}` });
    this.#processes.add(node.port, child);
  }

  async failover(replica: RedisClusterNode): Promise<void> {
    await redisCli(replica.port, ['CLUSTER', 'FAILOVER']);
    await waitFor(async () => (await redisCli(replica.port, ['ROLE'])).startsWith('master'), 60_000, `port ${replica.port} to become master`);
    await this.waitHealthy();
  }

  async waitHealthy(timeoutMs = 60_000, syncedReplicas = 0): Promise<void> {
    await waitFor(
      async () => {
        const live = this.#liveNodes();
        for (const node of live) {
          if (!(await redisCli(node.port, ['CLUSTER', 'INFO'])).includes('cluster_state:ok')) return false;
          const shards = shardsOf(await this.#clusterNodes(node));
          const served = shards.reduce((sum, s) => sum + s.slots.reduce((n, [from, to]) => n + to - from + 1, 0), 0);
          if (served !== SLOTS || shards.some((s) => !this.#processes.has(s.master.port))) return false;
        }
        // Replicas in sync: a failover promotes a replica that has the data.
        let synced = 0;
        for (const node of live) {
          const replication = await redisCli(node.port, ['INFO', 'replication']);
          if (replication.includes('role:slave')) {
            if (!replication.includes('master_link_status:up')) return false;
            synced++;
          }
        }
        return synced >= syncedReplicas;
      },
      timeoutMs,
      'the Redis Cluster to be healthy (cluster_state:ok on every node, every slot served, replicas in sync)',
    );
  }

  stop(): Promise<void> {
    return this.#processes.stop();
  }

  #liveNodes(): [RedisClusterNode, ...RedisClusterNode[]] {
    const live = this.nodes.filter((n) => this.#processes.has(n.port));
    if (live.length === 0) throw new Error('every node of the cluster is down');
    return live as [RedisClusterNode, ...RedisClusterNode[]];
  }

  async #clusterNodes(node: RedisClusterNode): Promise<ClusterNodeLine[]> {
    return parseClusterNodes(await redisCli(node.port, ['CLUSTER', 'NODES']));
  }
}

/** `CLUSTER NODES`: `<id> <ip:port@cport[,hostname]> <flags> <master> <ping> <pong> <epoch> <link> <slot>...` per line. */
function parseClusterNodes(text: string): ClusterNodeLine[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => {
      const [id = '', address = '', flags = '', masterId = '', , , , , ...slots] = line.split(' ');
      const port = Number(/:(\d+)@/.exec(address)?.[1]);
      return {
        id,
        port,
        flags: flags.split(','),
        masterId,
        // "[slot->-node]" entries are slots being migrated: not served here yet.
        slots: slots.filter((s) => !s.startsWith('[')).map((s): readonly [number, number] => {
          const [from, to] = s.split('-');
          return [Number(from), Number(to ?? from)];
        }),
      };
    });
}

function shardsOf(lines: readonly ClusterNodeLine[]): RedisClusterShard[] {
  const failed = (l: ClusterNodeLine) => l.flags.includes('fail') || l.flags.includes('fail?') || l.flags.includes('handshake') || l.flags.includes('noaddr');
  const node = (l: ClusterNodeLine): RedisClusterNode => ({ host: HOST, port: l.port, url: `redis://${HOST}:${l.port}` });
  return lines
    .filter((l) => l.flags.includes('master') && !failed(l) && l.slots.length > 0)
    .map((m) => ({
      master: node(m),
      replicas: lines.filter((l) => l.flags.includes('slave') && l.masterId === m.id && !failed(l)).map(node),
      slots: m.slots,
    }));
}
