import { randomFillSync } from 'node:crypto';

const HEX = '0123456789abcdef';
/** Random bytes for 256 ids, refilled in one call when used up. */
const POOL = Buffer.alloc(16 * 256);
/** The id's ASCII text; copied out as one flat string. */
const TEXT = Buffer.from('xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx', 'latin1');
/** Where each of the 16 bytes goes in TEXT (two hex digits each). */
const SLOTS = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
let offset = POOL.length;

/**
 * A random (version 4) UUID, like `crypto.randomUUID()`, but as one flat string. Node's builds its
 * id from 20 concatenated pieces, and V8 keeps such a string as a tree of those pieces: stored as
 * the key of every task record, that tree cost about 450 bytes per task and made every Map lookup
 * flatten it first.
 */
export function randomUuid(): string {
  if (offset === POOL.length) {
    randomFillSync(POOL);
    offset = 0;
  }
  for (let i = 0; i < 16; i++) {
    let byte = POOL[offset + i] as number;
    if (i === 6) byte = (byte & 0x0f) | 0x40; // version 4
    else if (i === 8) byte = (byte & 0x3f) | 0x80; // RFC 4122 variant
    const slot = SLOTS[i] as number;
    TEXT[slot] = HEX.charCodeAt(byte >> 4);
    TEXT[slot + 1] = HEX.charCodeAt(byte & 0x0f);
  }
  offset += 16;
  return TEXT.toString('latin1', 0, 36);
}
