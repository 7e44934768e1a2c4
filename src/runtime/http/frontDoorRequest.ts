// One HTTP request as a front door (API Gateway, function URL) receives it: the raw path and
// query string, headers in the order and case the client sent them, the whole body.
import type { IncomingMessage } from 'node:http';

export interface FrontDoorRequest {
  method: string;
  /** Path exactly as sent (still percent-encoded), without the query string. */
  rawPath: string;
  /** Query string without `?`, as sent. */
  rawQuery: string;
  /** Header name/value pairs, in order, names in the client's case. */
  headers: Array<[string, string]>;
  body: Buffer;
  sourceIp: string;
  protocol: string;
  /** ms since epoch when the request arrived. */
  receivedAt: number;
}

const NO_BODY = Buffer.alloc(0);

/** API Gateway and function URLs refuse bodies over 10 MB / 6 MB before invoking anything. */
export class PayloadTooLarge extends Error {}

export function readFrontDoorRequest(req: IncomingMessage, limit: number): Promise<FrontDoorRequest> {
  const receivedAt = Date.now();
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const headers: Array<[string, string]> = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) headers.push([req.rawHeaders[i], req.rawHeaders[i + 1]]);
  const request: FrontDoorRequest = {
    method: (req.method ?? 'GET').toUpperCase(),
    rawPath: q < 0 ? url : url.slice(0, q),
    rawQuery: q < 0 ? '' : url.slice(q + 1),
    headers,
    sourceIp: (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
    protocol: `HTTP/${req.httpVersion}`,
    receivedAt,
    body: NO_BODY,
  };
  if (Number(req.headers['content-length']) > limit) {
    req.resume();
    return Promise.reject(new PayloadTooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= limit) chunks.push(c);
    });
    req.on('end', () => {
      if (size > limit) return reject(new PayloadTooLarge());
      if (size > 0) request.body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
      resolve(request);
    });
    req.on('error', reject);
  });
}

/** A header's last value, case-insensitively (API Gateway's single-value view). */
export function headerValue(request: FrontDoorRequest, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (let i = request.headers.length - 1; i >= 0; i--) if (request.headers[i][0].toLowerCase() === lower) return request.headers[i][1];
  return undefined;
}

/** Query parameters in order, decoded as API Gateway decodes them (`+` is a space). */
export function queryPairs(rawQuery: string): Array<[string, string]> {
  if (!rawQuery) return [];
  return [...new URLSearchParams(rawQuery)];
}

/** The client's values of these are replaced (X-Forwarded-For is extended). */
const REPLACED_HEADERS = new Set(['x-forwarded-for', 'x-forwarded-port', 'x-forwarded-proto', 'x-amzn-trace-id']);

/**
 * The headers API Gateway and function URLs add before the event is built: the trace id and
 * X-Forwarded-For/-Port/-Proto, as AWS's documented events show them.
 */
export function withForwardingHeaders(request: FrontDoorRequest, port: number | undefined, trace: string): FrontDoorRequest {
  const headers: Array<[string, string]> = [];
  let forwardedFor: string | undefined;
  for (const header of request.headers) {
    const name = header[0].toLowerCase();
    if (!REPLACED_HEADERS.has(name)) headers.push(header);
    else if (name === 'x-forwarded-for') forwardedFor = header[1];
  }
  headers.push(
    ['X-Amzn-Trace-Id', trace],
    ['X-Forwarded-For', forwardedFor ? `${forwardedFor}, ${request.sourceIp}` : request.sourceIp],
    ['X-Forwarded-Port', String(port ?? 80)],
    ['X-Forwarded-Proto', 'http'],
  );
  return { ...request, headers };
}
