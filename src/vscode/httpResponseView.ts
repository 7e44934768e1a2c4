// A result shaped like an HTTP response (API Gateway proxy 1.0/2.0, function URL) shown as
// the response a client would get: status line, headers, then the body pretty-printed by its
// content type — not a JSON string inside a JSON document.
import { STATUS_CODES } from 'node:http';

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

/** Status line, headers and body, as `curl -i` would print them (body pretty-printed when it is JSON). */
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
  return `${lines.join('\n')}\n\n${renderBody(r.body ?? '', r.isBase64Encoded === true, type)}`;
}

function renderBody(body: string, base64: boolean, contentType: string): string {
  const textual = !contentType || /^text\/|json|xml|javascript|x-www-form-urlencoded|csv|yaml/i.test(contentType);
  if (base64) {
    const bytes = Buffer.from(body, 'base64');
    if (!textual) return `(${bytes.length} bytes of ${contentType || 'binary data'}, base64-encoded in the result)`;
    body = bytes.toString('utf8');
  }
  if (/json/i.test(contentType) || (!contentType && /^\s*[[{]/.test(body))) {
    try {
      return JSON.stringify(JSON.parse(body), null, 2);
    } catch {
      return body; // declared JSON but is not: shown as sent
    }
  }
  return body;
}
