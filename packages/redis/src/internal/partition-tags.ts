import { slotOf } from './slot.js';

/** Redis Cluster's hash slots. */
const SLOTS = 16_384;

/**
 * The prefixes of a partitioned store's partitions, each its own hash tag: the store's prefix for
 * partition 0 (the home, which also keeps what is global: workers, events, values, rate windows),
 * and for partition k a tag chosen so that the N partitions' slots are spread evenly over the
 * slot space. `redis-cli --cluster create` gives each of M masters an even, contiguous range of
 * slots, so N = M partitions land on M different masters, and N = c × M put c on each.
 *
 * The slot space is cut into N ranges as redis-cli cuts it for N masters. The home's slot lies in
 * one of them; partition k takes the k-th range after it, and its tag is `<prefix>#<k>` if that
 * slot lies in the middle half of the range, else `<prefix>#<k>.<j>` for the smallest j ≥ 1 whose
 * slot does (about 2N tries). Deterministic: every process computes the same tags.
 */
export function partitionPrefixes(prefix: string, partitions: number): string[] {
  const prefixes = [prefix];
  if (partitions === 1) return prefixes;
  const ranges = slotRanges(partitions);
  const homeSlot = slotOf(`{${prefix}}`);
  const home = ranges.findIndex(([first, last]) => homeSlot >= first && homeSlot <= last);
  for (let k = 1; k < partitions; k++) {
    const [first, last] = ranges[(home + k) % partitions] as [number, number];
    const quarter = (last - first + 1) / 4;
    const low = first + quarter;
    const high = last - quarter;
    for (let j = 0; ; j++) {
      const candidate = j === 0 ? `${prefix}#${k}` : `${prefix}#${k}.${j}`;
      const slot = slotOf(`{${candidate}}`);
      if (slot >= low && slot <= high) {
        prefixes.push(candidate);
        break;
      }
    }
  }
  return prefixes;
}

/** The slot ranges `redis-cli --cluster create` gives `count` masters: [first, last] each. */
function slotRanges(count: number): [number, number][] {
  const perRange = SLOTS / count;
  const ranges: [number, number][] = [];
  let first = 0;
  for (let i = 0; i < count; i++) {
    const last = i === count - 1 ? SLOTS - 1 : Math.max(first, Math.round(perRange * (i + 1) - 1));
    ranges.push([first, last]);
    first = last + 1;
  }
  return ranges;
}
