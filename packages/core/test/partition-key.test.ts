import { MemoryStore } from '@celeriac/memory';
import { describe, expect, it } from 'vitest';
import { fnv1a32, partitionKeyHashOf, partitionKeyId, partitionOfId } from '../src/adapter.js';
import { Celeriac, task } from '../src/index.js';

class Orders {
  @task()
  ship(order: string) {
    return order;
  }
}

describe('partition keys in task ids', () => {
  it('gives every task of one partitionKey an id carrying the key hash, and a fresh id each time', async () => {
    const store = new MemoryStore();
    const app = new Celeriac({ store });
    const orders = app.register(new Orders());
    const [a, b] = await Promise.all([orders.ship.applyAsync(['1'], { partitionKey: 'customer-7' }), orders.ship.applyAsync(['2'], { partitionKey: 'customer-7' })]);
    const other = await orders.ship.applyAsync(['3'], { partitionKey: 'customer-8' });
    const bulk = await orders.ship.bulk([['4'], ['5']], { partitionKey: 'customer-7' });
    const tag = fnv1a32('customer-7').toString(16).padStart(8, '0');
    for (const result of [a, b, ...bulk]) expect(result.id).toMatch(new RegExp(`^${tag}:[0-9a-f-]{36}$`));
    expect(new Set([a.id, b.id, ...bulk.map((r) => r.id)]).size).toBe(4);
    expect(partitionKeyHashOf(other.id)).toBe(fnv1a32('customer-8'));
    expect(await store.get(a.id)).toMatchObject({ state: 'PENDING' });
    await store.close();
  });

  it('places an id by the hash it carries, else by the hash of the whole id, the same in every process', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c); // the published FNV-1a test vector
    const keyed = partitionKeyId('customer-7', 'x');
    for (const n of [1, 2, 3, 16]) expect(partitionOfId(keyed, n)).toBe(fnv1a32('customer-7') % n);
    expect(partitionOfId('plain-id', 3)).toBe(fnv1a32('plain-id') % 3);
    expect(partitionKeyHashOf('plain-id')).toBeUndefined();
    expect(partitionKeyHashOf('0000000a:rest')).toBe(10);
    expect(partitionKeyHashOf('0000000A:rest')).toBeUndefined(); // upper case is not the form
    expect(partitionKeyHashOf('0000000a:')).toBeUndefined(); // nothing after the tag
    const spread = new Set(Array.from({ length: 60 }, (_, i) => partitionOfId(`task-${i}`, 3)));
    expect(spread).toEqual(new Set([0, 1, 2]));
  });
});
