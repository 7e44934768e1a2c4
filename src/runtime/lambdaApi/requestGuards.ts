// Who may talk to the local Lambda API. Functions run with the user's AWS credentials, so a
// request is served only when it is addressed to this server (Host: one of its own names, which
// defeats DNS rebinding), not sent by a web page (no Origin, no cross-site Sec-Fetch-Site, no
// form-style body), and signed with SigV4 as every AWS SDK and the AWS CLI sign — with any
// credentials, since nothing is checked against AWS. Unsigned requests get Lambda's own answer,
// unless the user allows them (`serve --allow-unsigned`, for curl).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { LambdaServiceError, missingAuthenticationToken } from '../errors/serviceErrors';

export interface RequestGuardOptions {
  /** Address the server listens on, as given to listen(). */
  host: string;
  port: number;
  /** Serve requests that carry no SigV4 signature. */
  allowUnsigned?: boolean;
  /** More host names the server is reached by (a proxy, a name in /etc/hosts). */
  allowedHosts?: string[];
}

/** Answers a request is refused with before any route sees it; undefined when it may proceed. */
export type RequestGuard = (req: IncomingMessage) => LambdaServiceError | undefined;

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1'];
/** Body types a web page can POST cross-origin without a CORS preflight. */
const SIMPLE_BODY_TYPES = /^\s*(text\/plain|multipart\/form-data|application\/x-www-form-urlencoded)\b/i;
/** Paths served to whoever holds the link, as Lambda's presigned Code.Location URLs are. */
const DOWNLOAD_PREFIX = '/lambda-lab/';

export function createRequestGuard(options: RequestGuardOptions): RequestGuard {
  const acceptsHost = hostMatcher(options);
  const shown = `${options.host.includes(':') ? `[${options.host}]` : options.host}:${options.port}`;
  return (req) => {
    const host = req.headers.host;
    if (!host || !acceptsHost(host)) {
      return accessDenied(
        `Host "${host ?? ''}" is not an address this Lambda API listens on (${shown}): refused, as a request through another ` +
          'host name (DNS rebinding) would be. Use the address it listens on, or add the name with --allow-host.',
      );
    }
    const origin = req.headers.origin;
    const site = req.headers['sec-fetch-site'];
    if (origin !== undefined || (site !== undefined && site !== 'none')) {
      return accessDenied(
        `Requests from web pages (Origin: ${origin ?? 'unknown'}, Sec-Fetch-Site: ${site ?? 'unknown'}) are refused: ` +
          'the local Lambda API runs functions with your AWS credentials. Call it from an AWS SDK, the AWS CLI or curl.',
      );
    }
    if (isSigned(req)) return undefined;
    if ((req.url ?? '').startsWith(DOWNLOAD_PREFIX) && req.method === 'GET') return undefined;
    const type = req.headers['content-type'];
    if (req.method !== 'GET' && type !== undefined && SIMPLE_BODY_TYPES.test(type)) {
      return accessDenied(
        `An unsigned request with Content-Type ${type} is refused (a web form could send it). ` +
          "Send the body as JSON: curl -H 'Content-Type: application/json' ...",
      );
    }
    return options.allowUnsigned ? undefined : missingAuthenticationToken();
  };
}

/** Writes a refusal; the unsigned case in the shape Lambda's front door uses. */
export function sendRefusal(res: ServerResponse, err: LambdaServiceError, requestId: string): void {
  const body = JSON.stringify(
    err.type === 'MissingAuthenticationTokenException'
      ? { message: err.message }
      : { Type: 'User', Message: err.message, __type: err.type },
  );
  res.writeHead(err.statusCode, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
    'X-Amzn-ErrorType': err.type,
    'x-amzn-RequestId': requestId,
    Connection: 'close',
  });
  res.end(body);
}

/** A SigV4 Authorization header, or a presigned URL's query. */
function isSigned(req: IncomingMessage): boolean {
  const auth = req.headers.authorization;
  if (auth && /^AWS4-HMAC-SHA256\s+Credential=[^,]+,\s*SignedHeaders=[^,]+,\s*Signature=[0-9a-f]+$/i.test(auth.trim())) return true;
  const url = req.url ?? '';
  const q = url.indexOf('?');
  if (q < 0) return false;
  const query = new URLSearchParams(url.slice(q + 1));
  return query.get('X-Amz-Algorithm') === 'AWS4-HMAC-SHA256' && !!query.get('X-Amz-Signature');
}

function accessDenied(message: string): LambdaServiceError {
  return new LambdaServiceError('AccessDeniedException', message, 403);
}

function hostMatcher(options: RequestGuardOptions): (hostHeader: string) => boolean {
  const names = new Set([...(options.allowedHosts ?? []).map((h) => h.toLowerCase())]);
  const bound = options.host.toLowerCase();
  const wildcard = bound === '0.0.0.0' || bound === '::';
  const loopback = LOOPBACK_NAMES.includes(bound) || bound.startsWith('127.');
  names.add(bound);
  if (loopback || wildcard) for (const n of LOOPBACK_NAMES) names.add(n);
  if (wildcard) names.add(hostname().toLowerCase());
  return (hostHeader) => {
    const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(hostHeader.trim().toLowerCase());
    if (!m) return false;
    const name = m[1].replace(/^\[|\]$/g, '');
    if (Number(m[2] ?? 80) !== options.port) return false;
    // Bound to every interface, the server is reached by any of the machine's addresses; a
    // rebinding page can only ever send a name, never an address literal, as its Host.
    return names.has(name) || (wildcard && isIP(name) !== 0);
  };
}
