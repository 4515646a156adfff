import { partitionOfId } from '@celeriac/core/adapter';
import type { Cluster, Redis } from 'ioredis';
import { brokerKeys } from '../../src/internal/keys.js';
import { partitionPrefixes } from '../../src/internal/partition-tags.js';

/** The inbox a foreign producer pushes `raw` to in a partitioned store: that of the message id's partition (the home's if it has no readable id). */
export function partitionInbox(prefix: string, partitions: number, queue: string, raw: string): string {
  const prefixes = partitionPrefixes(prefix, partitions);
  let id: unknown;
  try {
    id = (JSON.parse(raw) as { id?: unknown }).id;
  } catch {
    id = undefined;
  }
  const at = typeof id === 'string' ? partitionOfId(id, partitions) : 0;
  return brokerKeys(prefixes[at] as string).inbox(queue);
}

/** Each partition's prefix, for helpers that work per prefix (deleteKeys, expireLeases). */
export function eachPartition(prefix: string, partitions: number, run: (partitionPrefix: string) => Promise<void>): Promise<void> {
  return Promise.all(partitionPrefixes(prefix, partitions).map(run)).then(() => undefined);
}

/** The master serving each partition of a store, by the CLUSTER KEYSLOT and CLUSTER NODES of a node. */
export async function mastersOfPartitions(node: Redis | Cluster, prefix: string, partitions: number): Promise<string[]> {
  const nodes = String(await node.call('CLUSTER', 'NODES'));
  const masters = nodes.split('\n').filter((line) => line.includes('master') && !line.includes('fail'));
  return Promise.all(partitionPrefixes(prefix, partitions).map(async (tag) => {
    const slot = Number(await node.call('CLUSTER', 'KEYSLOT', `{${tag}}:seq`));
    const owner = masters.find((line) => line.split(' ').slice(8).some((range) => {
      const [first, last = first] = range.split('-').map(Number);
      return first !== undefined && slot >= first && slot <= (last as number);
    }));
    if (owner === undefined) throw new Error(`no master serves slot ${slot} of {${tag}}`);
    return owner.split(' ')[1]?.split('@')[0] as string;
  }));
}
