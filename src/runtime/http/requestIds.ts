// Identifiers and times as API Gateway and Lambda write them into events and response headers.
import { createHash, randomUUID } from 'node:crypto';
import { randomHex, randomSlice } from '../randomPool';

/** A stable 10-character API id (like `a1b2c3d4e5`) derived from the template and logical id. */
export function stableId(seed: string, length = 10): string {
  const digest = createHash('sha256').update(seed).digest();
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let id = '';
  for (let i = 0; i < length; i++) id += alphabet[digest[i] % alphabet.length];
  return id;
}

/** HTTP APIs' request ids and REST's extendedRequestId look like `JKJaXmPLvHcESHA=`. */
export function shortRequestId(): string {
  return randomSlice(11).toString('base64', 0, 11).slice(0, 15) + '=';
}

export { randomUUID };

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `12/Mar/2020:19:03:58 +0000`, API Gateway's requestTime. */
export function requestTime(epochMs: number): string {
  const d = new Date(epochMs);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
}

/** `Root=1-5e6a1c2f-0123456789abcdef01234567`, as X-Amzn-Trace-Id. */
export function traceId(epochMs: number): string {
  return `Root=1-${Math.floor(epochMs / 1000).toString(16)}-${randomHex(12)}`;
}
