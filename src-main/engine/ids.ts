import { randomFillSync } from 'node:crypto';

let lastMs = 0;
let counter = 0;
// Randomness is drawn in bulk: one getRandom call per id would dominate the cost of an id.
const pool = Buffer.alloc(16 * 512);
let offset = pool.length;

function random16(): Buffer {
  if (offset === pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const bytes = Buffer.from(pool.subarray(offset, offset + 16));
  offset += 16;
  return bytes;
}

/**
 * A UUIDv7 (RFC 9562): time-ordered, so new rows land at the right-hand edge of the id index
 * instead of at random pages, which keeps inserts cheap as tables grow.
 */
export function newId(): string {
  const now = Date.now();
  const bytes = random16();
  if (now === lastMs) counter = (counter + 1) & 0xfff;
  else {
    lastMs = now;
    counter = bytes.readUInt16BE(14) & 0x7ff;
  }
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = 0x70 | (counter >> 8);
  bytes[7] = counter & 0xff;
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
