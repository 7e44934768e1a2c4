// Random bytes for per-request ids, drawn from one pool refilled by a single call: every
// invoke takes a few, and a call into the system's generator each time costs more than they do.
import { randomFillSync } from 'node:crypto';

const pool = Buffer.alloc(4096);
let poolOffset = pool.length;

/** `bytes` fresh random bytes (a view into the pool: use them before the next call). */
export function randomSlice(bytes: number): Buffer {
  if (poolOffset + bytes > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  return pool.subarray(poolOffset, (poolOffset += bytes));
}

/** `bytes` random bytes as lower-case hex. */
export function randomHex(bytes: number): string {
  return randomSlice(bytes).toString('hex');
}
