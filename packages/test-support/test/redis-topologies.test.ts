import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { startRedisCluster, startRedisSentinel } from '../src/index.js';

function cli(port: number, ...args: string[]): string {
  return execFileSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
}

function listening(port: number): boolean {
  try {
    return cli(port, 'PING').trim() === 'PONG';
  } catch {
    return false;
  }
}

describe('startRedisCluster', () => {
  it('starts 3 masters with a replica each, fails a master over, and stop() leaves nothing behind', async () => {
    const cluster = await startRedisCluster();
    try {
      expect(cluster.nodes).toHaveLength(6);
      const shards = await cluster.shards();
      expect(shards).toHaveLength(3);
      for (const shard of shards) expect(shard.replicas).toHaveLength(1);
      for (const node of cluster.nodes) expect(cli(node.port, 'CLUSTER', 'INFO')).toContain('cluster_state:ok');
      // A key written through its master is served by that shard.
      const shard = await cluster.shardOf('{t}:key');
      expect(cli(shard.master.port, 'SET', '{t}:key', 'v').trim()).toBe('OK');
      const replica = shard.replicas[0]!;
      await cluster.failover(replica);
      expect((await cluster.shardOf('{t}:key')).master.port).toBe(replica.port);
      expect(cli(replica.port, 'GET', '{t}:key').trim()).toBe('v');
    } finally {
      await cluster.stop();
    }
    for (const node of cluster.nodes) expect(listening(node.port)).toBe(false);
    expect(existsSync(cluster.dir)).toBe(false);
  }, 180_000);
});

describe('startRedisSentinel', () => {
  it('starts a master, a replica and three sentinels that promote the replica when the master dies', async () => {
    const setup = await startRedisSentinel();
    try {
      expect(setup.sentinels).toHaveLength(3);
      const master = await setup.master();
      expect(master.port).toBe(setup.servers[0]!.port);
      await setup.kill(master);
      const promoted = await setup.waitForNewMaster(master);
      expect(promoted.port).toBe(setup.servers[1]!.port);
    } finally {
      await setup.stop();
    }
    for (const port of [...setup.servers.map((s) => s.port), ...setup.sentinels.map((s) => s.port)]) expect(listening(port)).toBe(false);
    expect(existsSync(setup.dir)).toBe(false);
  }, 180_000);
});
