/**
 * A task id may carry the hash of a partition key: `<8 lowercase hex digits>:<rest>`. An app
 * makes such ids for `applyAsync(args, { partitionKey })`, so that a store spreading its queue over
 * partitions by id (`@celeriac/redis` with `partitions`) puts every task of one key in one
 * partition, where they keep their order. Any id of that form is placed by its hash, whoever made
 * it; other ids by a hash of the whole id (`partitionOfId`). A store with one queue ignores it.
 */
const TAGGED_ID = /^([0-9a-f]{8}):./;

/** FNV-1a (32 bits) over the string's UTF-16 code units: stable across processes and languages that hash the same units. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** The id a task of `partitionKey` gets: the key's hash, then `id`. */
export function partitionKeyId(partitionKey: string, id: string): string {
  return `${fnv1a32(partitionKey).toString(16).padStart(8, '0')}:${id}`;
}

/** The partition key hash an id carries, or undefined for an id that carries none. */
export function partitionKeyHashOf(id: string): number | undefined {
  const tag = TAGGED_ID.exec(id);
  return tag === null ? undefined : Number.parseInt(tag[1] as string, 16);
}

/** Which of `partitions` partitions an id belongs to: by the hash it carries, else by the hash of the whole id. */
export function partitionOfId(id: string, partitions: number): number {
  if (partitions === 1) return 0;
  return (partitionKeyHashOf(id) ?? fnv1a32(id)) % partitions;
}
