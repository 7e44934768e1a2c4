// What goes back to the HTTP client: a status, headers in order (repeats allowed), a body.
import type { ServerResponse } from 'node:http';

export interface HttpResult {
  statusCode: number;
  headers: Array<[string, string]>;
  body: Buffer;
}

export function hasHeader(headers: Array<[string, string]>, name: string): boolean {
  const lower = name.toLowerCase();
  return headers.some(([n]) => n.toLowerCase() === lower);
}

/** Writes head and body; node joins nothing, so repeated Set-Cookie headers stay separate. */
export function sendResult(res: ServerResponse, result: HttpResult): void {
  if (res.headersSent || res.destroyed) return;
  const flat: string[] = [];
  for (const [n, v] of result.headers) {
    if (n.toLowerCase() === 'content-length' || n.toLowerCase() === 'transfer-encoding') continue;
    flat.push(n, v);
  }
  flat.push('Content-Length', String(result.body.length));
  res.writeHead(result.statusCode, flat);
  res.end(result.body);
}

export function jsonResult(statusCode: number, text: string, headers: Array<[string, string]> = []): HttpResult {
  return { statusCode, headers: [['Content-Type', 'application/json'], ...headers], body: Buffer.from(text) };
}
