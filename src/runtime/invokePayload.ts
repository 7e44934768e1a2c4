// What Lambda accepts as an invocation's payload: its size limits and JSON.
import { invalidRequestContent, requestTooLarge } from './errors/serviceErrors';

/** Lambda's payload limits (bytes): 6 MB synchronous, 1 MB asynchronous (256 KB before October 2025). */
export const MAX_SYNC_PAYLOAD = 6 * 1024 * 1024;
export const MAX_ASYNC_PAYLOAD = 1024 * 1024;

/**
 * A payload Lambda Lab serialised itself (the events its front doors and authorizers build):
 * JSON by construction, so it is not parsed again to be checked.
 */
export class JsonPayload {
  private constructor(readonly bytes: Buffer) {}

  static of(value: unknown): JsonPayload {
    return new JsonPayload(Buffer.from(JSON.stringify(value)));
  }
}

/** Lambda passes `{}` for an empty payload and refuses what is not JSON. */
export function normalisePayload(payload: Buffer | string | JsonPayload, limit: number): Buffer {
  const buf = payload instanceof JsonPayload ? payload.bytes : typeof payload === 'string' ? Buffer.from(payload) : payload;
  if (buf.length > limit) throw requestTooLarge(buf.length, limit);
  if (payload instanceof JsonPayload) return buf;
  const text = buf.toString();
  try {
    JSON.parse(text);
  } catch (err) {
    // JSON.parse refuses blank text, which Lambda takes as no payload.
    if (text.trim() === '') return Buffer.from('{}');
    throw invalidRequestContent(`Could not parse request body into json: ${(err as Error).message}`);
  }
  return buf;
}
