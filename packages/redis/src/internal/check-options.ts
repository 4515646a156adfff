import { optionChecker, show } from '@celeriac/core/adapter';
import { isClusterConnection, isClusterInstance, isRedisInstance } from './connection.js';

/** Most partitions of one store: each costs its own keys, and on a cluster a pub/sub connection per process. */
const MAX_PARTITIONS = 256;

/** Core's option checks, plus those only Redis has (the prefix, the connection). */
export function optionChecks(where: string) {
  const check = optionChecker(where);
  return {
    ...check,
    prefix(value: unknown): string {
      // Braces would break the {prefix} hash tag that keeps a deployment's keys in one Cluster slot.
      if (typeof value !== 'string' || !/^[^{}\s]{1,100}$/.test(value)) {
        check.fail('prefix', `must be 1 to 100 characters without braces or spaces, got ${show(value)}`);
      }
      return value as string;
    },
    partitions(value: unknown): number {
      if (!Number.isSafeInteger(value) || (value as number) < 1 || (value as number) > MAX_PARTITIONS) {
        check.fail('partitions', `must be an integer from 1 to ${MAX_PARTITIONS}, got ${show(value)}`);
      }
      return value as number;
    },
    connection(value: unknown): void {
      if (typeof value === 'string') {
        if (!/^rediss?:\/\//.test(value)) check.fail('connection', `must be a redis:// or rediss:// URL, got ${show(value)}`);
        // ioredis reads the path as the database number, and quietly uses 0 for one it cannot read.
        const path = urlPath(value);
        if (path !== '' && path !== '/' && !/^\/\d{1,5}$/.test(path)) {
          check.fail('connection', `must name a database by its number (redis://host:6379/2), got the path ${show(path)}`);
        }
        return;
      }
      if (isClusterInstance(value)) {
        masterReads('connection', value.options.scaleReads);
        return;
      }
      if (isRedisInstance(value)) {
        masterRole('connection', value.options.role);
        return;
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        check.fail(
          'connection',
          `must be a redis:// URL, ioredis options, Sentinel options ({ sentinels, name }), cluster nodes ({ cluster: [{ host, port }, ...] }) or an ioredis Redis or Cluster instance, got ${show(value)}`,
        );
      }
      const options = value as Record<string, unknown>;
      if (isClusterConnection(options)) clusterNodes(options);
      else if ('sentinels' in options) sentinelOptions(options);
    },
  };

  /** `{ cluster: [...], options? }`: start-up nodes as ioredis takes them (port, "host:port", { host, port }). */
  function clusterNodes(value: Record<string, unknown>): void {
    for (const key of Object.keys(value)) {
      if (key !== 'cluster' && key !== 'options') check.fail(`connection.${key}`, 'is not an option of a cluster connection: give { cluster: [{ host, port }, ...], options? } (options: ioredis ClusterOptions)');
    }
    const nodes = value.cluster;
    if (!Array.isArray(nodes) || nodes.length === 0) check.fail('connection.cluster', `must be a non-empty array of start-up nodes ({ host, port }, "host:port" or a port), got ${show(nodes)}`);
    (nodes as unknown[]).forEach((node, i) => {
      const where = `connection.cluster[${i}]`;
      if (typeof node === 'number') port(where, node);
      else if (typeof node === 'string') {
        if (node.trim() === '') check.fail(where, 'must be "host:port", not empty');
      } else if (typeof node === 'object' && node !== null && !Array.isArray(node)) {
        const { host, port: p } = node as { host?: unknown; port?: unknown };
        if (host !== undefined && (typeof host !== 'string' || host === '')) check.fail(`${where}.host`, `must be a host name or address, got ${show(host)}`);
        if (p !== undefined) port(`${where}.port`, p);
      } else {
        check.fail(where, `must be { host, port }, "host:port" or a port, got ${show(node)}`);
      }
    });
    if (value.options !== undefined) {
      const options = check.object(value.options, 'connection.options');
      masterReads('connection.options.scaleReads', options.scaleReads);
    }
  }

  /** Sentinel options: where the sentinels are and the name of the master they watch. */
  function sentinelOptions(value: Record<string, unknown>): void {
    const sentinels = value.sentinels;
    if (!Array.isArray(sentinels) || sentinels.length === 0) check.fail('connection.sentinels', `must be a non-empty array of { host, port }, got ${show(sentinels)}`);
    (sentinels as unknown[]).forEach((sentinel, i) => {
      const where = `connection.sentinels[${i}]`;
      if (typeof sentinel !== 'object' || sentinel === null || Array.isArray(sentinel)) check.fail(where, `must be { host, port }, got ${show(sentinel)}`);
      const { host, port: p } = sentinel as { host?: unknown; port?: unknown };
      if (host !== undefined && (typeof host !== 'string' || host === '')) check.fail(`${where}.host`, `must be a host name or address, got ${show(host)}`);
      if (p !== undefined) port(`${where}.port`, p);
    });
    if (typeof value.name !== 'string' || value.name === '') check.fail('connection.name', `must name the master the sentinels watch (their "sentinel monitor <name>"), got ${show(value.name)}`);
    masterRole('connection.role', value.role);
  }

  function port(where: string, value: unknown): void {
    if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > 65_535) check.fail(where, `must be a port from 1 to 65535, got ${show(value)}`);
  }

  // Records are read right after they are written by others; a replica may not have them yet.
  function masterReads(where: string, scaleReads: unknown): void {
    if (scaleReads !== undefined && scaleReads !== 'master') {
      check.fail(where, `must be "master" (or left out): reads from replicas lag behind the writes, and a waiter could miss a task's end; got ${show(scaleReads)}`);
    }
  }

  function masterRole(where: string, role: unknown): void {
    if (role !== undefined && role !== 'master') check.fail(where, `must be "master" (or left out): the store writes on every call, which a replica refuses; got ${show(role)}`);
  }
}

function urlPath(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return '';
  }
}
