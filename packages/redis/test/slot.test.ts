import { describe, expect, it } from 'vitest';
import { brokerKeys } from '../src/internal/keys.js';
import { slotOf } from '../src/internal/slot.js';

describe('slotOf', () => {
  it('gives the Redis Cluster hash slot, of the hash tag when there is one', () => {
    expect(slotOf('foo')).toBe(12_182); // CLUSTER KEYSLOT foo
    expect(slotOf('{foo}:anything')).toBe(12_182);
    const k = brokerKeys('deployment');
    expect(new Set([k.seq, k.leases, k.ready('q', 't'), k.wake('q'), k.revokeChannel].map(slotOf))).toEqual(new Set([slotOf('deployment')]));
  });
});
