import { Command } from 'ioredis';

/**
 * The Redis Cluster hash slot of `key` (CRC16 of its hash tag, modulo 16 384), as ioredis computes
 * it for its own commands. Every key and channel of a deployment shares one: that of `{prefix}`.
 */
export function slotOf(key: string): number {
  return new Command('exists', [key]).getSlot();
}
