// CORS as each front door does it. HTTP APIs and function URLs check the Origin themselves,
// answer preflights, and put their own Access-Control-* headers on every response (dropping the
// function's). REST APIs only have the OPTIONS method SAM generates from `Cors`: fixed headers,
// no origin check; the function's own responses must carry Access-Control-Allow-Origin.
import type { CorsConfig } from '../template/httpModel';
import { headerValue, type FrontDoorRequest } from './frontDoorRequest';
import type { HttpResult } from './httpResult';

export function isPreflight(request: FrontDoorRequest): boolean {
  return (
    request.method === 'OPTIONS' &&
    headerValue(request, 'origin') !== undefined &&
    headerValue(request, 'access-control-request-method') !== undefined
  );
}

function originAllowed(cors: CorsConfig, origin: string): boolean {
  return cors.allowOrigins.some((pattern) => {
    if (pattern === '*') return true;
    if (!pattern.includes('*')) return pattern.toLowerCase() === origin.toLowerCase();
    const re = new RegExp(
      `^${pattern
        .split('*')
        .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('[^/]*')}$`,
      'i',
    );
    return re.test(origin);
  });
}

function allowOriginValue(cors: CorsConfig, origin: string): string {
  return cors.allowOrigins.includes('*') && !cors.allowCredentials ? '*' : origin;
}

/** HTTP API / function URL preflight: 204, with CORS headers only when the origin is allowed. */
export function answerPreflight(cors: CorsConfig, request: FrontDoorRequest): HttpResult {
  const origin = headerValue(request, 'origin') ?? '';
  const headers: Array<[string, string]> = [];
  const method = (headerValue(request, 'access-control-request-method') ?? '').toUpperCase();
  const methodAllowed = cors.allowMethods.includes('*') || cors.allowMethods.map((m) => m.toUpperCase()).includes(method);
  if (originAllowed(cors, origin) && methodAllowed) {
    headers.push(['Access-Control-Allow-Origin', allowOriginValue(cors, origin)]);
    if (cors.allowMethods.length) headers.push(['Access-Control-Allow-Methods', cors.allowMethods.join(',')]);
    const requested = headerValue(request, 'access-control-request-headers');
    if (cors.allowHeaders.length) {
      headers.push([
        'Access-Control-Allow-Headers',
        cors.allowHeaders.includes('*') && requested ? requested : cors.allowHeaders.join(','),
      ]);
    }
    if (cors.allowCredentials) headers.push(['Access-Control-Allow-Credentials', 'true']);
    if (cors.maxAge !== undefined) headers.push(['Access-Control-Max-Age', String(cors.maxAge)]);
  }
  return { statusCode: 204, headers, body: Buffer.alloc(0) };
}

/** HTTP API / function URL: the gateway's CORS headers replace whatever the function sent. */
export function decorateResponse(cors: CorsConfig, request: FrontDoorRequest, headers: Array<[string, string]>): Array<[string, string]> {
  const kept = headers.filter(([n]) => !n.toLowerCase().startsWith('access-control-'));
  const origin = headerValue(request, 'origin');
  if (!origin || !originAllowed(cors, origin)) return kept;
  kept.push(['Access-Control-Allow-Origin', allowOriginValue(cors, origin)]);
  if (cors.exposeHeaders.length) kept.push(['Access-Control-Expose-Headers', cors.exposeHeaders.join(',')]);
  if (cors.allowCredentials) kept.push(['Access-Control-Allow-Credentials', 'true']);
  if (!cors.allowOrigins.includes('*') || cors.allowCredentials) kept.push(['Vary', 'Origin']);
  return kept;
}

/** The mock OPTIONS method SAM adds to each path of a REST API with `Cors`: 200 and fixed headers. */
export function restCorsOptions(cors: CorsConfig, pathMethods: string[]): HttpResult {
  const methods = cors.allowMethods.length
    ? cors.allowMethods
    : [...new Set([...pathMethods.map((m) => (m === 'ANY' ? 'DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT' : m)), 'OPTIONS'])];
  const headers: Array<[string, string]> = [['Content-Type', 'application/json']];
  if (cors.allowHeaders.length) headers.push(['Access-Control-Allow-Headers', cors.allowHeaders.join(',')]);
  headers.push(['Access-Control-Allow-Methods', methods.join(',')]);
  headers.push(['Access-Control-Allow-Origin', cors.allowOrigins.join(',')]);
  if (cors.allowCredentials) headers.push(['Access-Control-Allow-Credentials', 'true']);
  if (cors.maxAge !== undefined) headers.push(['Access-Control-Max-Age', String(cors.maxAge)]);
  return { statusCode: 200, headers, body: Buffer.alloc(0) };
}
