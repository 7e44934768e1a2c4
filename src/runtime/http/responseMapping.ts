// A function's result → the HTTP response, as API Gateway and function URLs map it. Payload 1.0
// needs an object with statusCode (REST refuses unknown keys); 2.0 also infers a 200 JSON
// response from any other JSON value. `undefined` means "malformed": the caller answers with the
// gateway's own error.
import { matchesMediaType } from './mediaTypes';
import { hasHeader, type HttpResult } from './httpResult';

const REST_KEYS = new Set(['statusCode', 'headers', 'multiValueHeaders', 'body', 'isBase64Encoded']);

type Json = Record<string, unknown>;

function parse(payload: Buffer): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(payload.toString('utf8')) };
  } catch {
    return { ok: false };
  }
}

function isObject(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function statusOf(value: unknown): number | undefined {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n >= 100 && n <= 599 ? n : undefined;
}

function scalar(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** headers + multiValueHeaders merged as API Gateway documents it: a pair given in both appears once. */
function mergedHeaders(single: unknown, multi: unknown): Array<[string, string]> | undefined {
  if ((single !== undefined && single !== null && !isObject(single)) || (multi !== undefined && multi !== null && !isObject(multi)))
    return undefined;
  const out: Array<[string, string]> = [];
  for (const [name, values] of Object.entries(multi ?? {})) {
    for (const v of Array.isArray(values) ? values : [values]) {
      const s = scalar(v);
      if (s !== undefined) out.push([name, s]);
    }
  }
  for (const [name, v] of Object.entries(single ?? {})) {
    const s = scalar(v);
    if (s === undefined) continue;
    if (!out.some(([n, x]) => n.toLowerCase() === name.toLowerCase() && x === s)) out.push([name, s]);
  }
  return out;
}

function bodyOf(value: unknown, base64: boolean): Buffer | undefined {
  if (value === undefined || value === null) return Buffer.alloc(0);
  const text = typeof value === 'string' ? value : undefined;
  if (text === undefined) return undefined;
  return base64 ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8');
}

export interface V1Options {
  kind: 'rest' | 'http';
  /** REST: the API's binary media types; a base64 body is decoded only when they cover the first Accept type. */
  binaryMediaTypes: string[];
  accept: string | undefined;
}

export function mapResponseV1(payload: Buffer, opts: V1Options): HttpResult | undefined {
  const parsed = parse(payload);
  if (!parsed.ok || !isObject(parsed.value)) return undefined;
  const out = parsed.value;
  const statusCode = statusOf(out.statusCode);
  if (statusCode === undefined) return undefined;
  if (opts.kind === 'rest' && Object.keys(out).some((k) => !REST_KEYS.has(k))) return undefined;
  const headers = mergedHeaders(out.headers, out.multiValueHeaders);
  if (!headers) return undefined;
  const flagged = out.isBase64Encoded === true || out.isBase64Encoded === 'true';
  // REST converts to binary only when the client's first Accept type is a binary media type.
  const decode = flagged && (opts.kind === 'http' || matchesMediaType(opts.accept?.split(',')[0], opts.binaryMediaTypes));
  const body = bodyOf(out.body, decode);
  if (!body) return undefined;
  if (!hasHeader(headers, 'content-type')) headers.push(['Content-Type', 'application/json']);
  return { statusCode, headers, body };
}

/** Payload 2.0 (HTTP APIs, function URLs): structured when the object has statusCode, inferred otherwise. */
export function mapResponseV2(payload: Buffer): HttpResult | undefined {
  const parsed = parse(payload);
  if (!parsed.ok) return undefined;
  const value = parsed.value;
  if (!isObject(value) || !('statusCode' in value)) {
    const body = typeof value === 'string' ? value : JSON.stringify(value);
    return { statusCode: 200, headers: [['Content-Type', 'application/json']], body: Buffer.from(body ?? '') };
  }
  const statusCode = statusOf(value.statusCode);
  if (statusCode === undefined) return undefined;
  const headers = mergedHeaders(value.headers, undefined);
  if (!headers) return undefined;
  if (value.cookies !== undefined && value.cookies !== null) {
    if (!Array.isArray(value.cookies)) return undefined;
    for (const c of value.cookies) if (typeof c === 'string') headers.push(['Set-Cookie', c]);
  }
  const body = bodyOf(value.body, value.isBase64Encoded === true);
  if (!body) return undefined;
  if (!hasHeader(headers, 'content-type')) headers.push(['Content-Type', 'application/json']);
  return { statusCode, headers, body };
}
