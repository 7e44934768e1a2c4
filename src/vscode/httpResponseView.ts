// A result shaped like an HTTP response (API Gateway proxy 1.0/2.0, function URL) shown as
// the response a client would get: status line, headers, then the body pretty-printed by its
// content type — not a JSON string inside a JSON document.
import { STATUS_CODES } from 'node:http';
import { renderBody } from './responseBody';

interface ProxyResponse {
  statusCode: number;
  headers?: Record<string, unknown>;
  multiValueHeaders?: Record<string, unknown[]>;
  cookies?: unknown[];
  body?: string;
  isBase64Encoded?: boolean;
}

/** The response a proxy-shaped result stands for; undefined for any other result. */
export function asHttpResponse(value: unknown): ProxyResponse | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const r = value as Partial<ProxyResponse>;
  if (typeof r.statusCode !== 'number' || !Number.isInteger(r.statusCode) || r.statusCode < 100 || r.statusCode > 599) return undefined;
  if (r.body !== undefined && typeof r.body !== 'string') return undefined;
  if (r.headers !== undefined && (typeof r.headers !== 'object' || r.headers === null)) return undefined;
  return r as ProxyResponse;
}

/** Status line, headers and body, as `curl -i` would print them (body pretty-printed by its type, see responseBody.ts). */
export function renderHttpResponse(r: ProxyResponse): string {
  const headers: Array<[string, string]> = [];
  for (const [k, v] of Object.entries(r.headers ?? {})) headers.push([k, String(v)]);
  for (const [k, vs] of Object.entries(r.multiValueHeaders ?? {})) {
    for (const v of Array.isArray(vs) ? vs : [vs])
      if (!headers.some(([hk, hv]) => hk.toLowerCase() === k.toLowerCase() && hv === String(v))) headers.push([k, String(v)]);
  }
  for (const c of r.cookies ?? []) headers.push(['set-cookie', String(c)]);
  const type = headers.find(([k]) => k.toLowerCase() === 'content-type')?.[1] ?? '';
  const lines = [`HTTP/1.1 ${r.statusCode} ${STATUS_CODES[r.statusCode] ?? ''}`.trimEnd(), ...headers.map(([k, v]) => `${k}: ${v}`)];
  return `${lines.join('\n')}\n\n${body(r.body ?? '', r.isBase64Encoded === true, type)}`;
}

function body(text: string, base64: boolean, contentType: string): string {
  // A text body that Lambda carried base64-encoded reads as its text; bytes as their size and hex.
  return renderBody(base64 ? Buffer.from(text, 'base64') : Buffer.from(text), contentType).text;
}
