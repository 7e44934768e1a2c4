// What Lambda accepts as an invocation's payload: its size limits and JSON.
import { invalidRequestContent, requestTooLarge } from './errors/serviceErrors';

/** Lambda's payload limits (bytes): 6 MB synchronous, 1 MB asynchronous (256 KB before October 2025). */
export const MAX_SYNC_PAYLOAD = 6 * 1024 * 1024;
export const MAX_ASYNC_PAYLOAD = 1024 * 1024;

/** Lambda passes `{}` for an empty payload and refuses what is not JSON. */
export function normalisePayload(payload: Buffer | string, limit: number): Buffer {
  const buf = typeof payload === 'string' ? Buffer.from(payload) : payload;
  if (buf.length > limit) throw requestTooLarge(buf.length, limit);
  const text = buf.toString();
  if (text.trim() === '') return Buffer.from('{}');
  try {
    JSON.parse(text);
  } catch (err) {
    throw invalidRequestContent(`Could not parse request body into json: ${(err as Error).message}`);
  }
  return buf;
}
