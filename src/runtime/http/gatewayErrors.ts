// The responses API Gateway and Lambda's function URLs write themselves, byte for byte:
// REST APIs with `x-amzn-ErrorType`, HTTP APIs with their capitalised messages.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LocalRuntime } from '../localRuntime';
import { jsonResult, sendResult, type HttpResult } from './httpResult';

export type GatewayKind = 'rest' | 'http' | 'url';

export type Problem =
  | 'function-error' // the function failed or answered in a shape the gateway can't map
  | 'timeout' // the integration timeout passed
  | 'not-found' // no route
  | 'unauthorized' // missing/invalid identity
  | 'forbidden' // authorizer denied, missing API key
  | 'explicit-deny'
  | 'missing-auth-token' // IAM auth without a signature
  | 'too-large'
  | 'throttled'
  | 'authorizer-failure'
  | 'service-error'; // Lambda refused the invoke (concurrency, payload size)

const REST: Record<Problem, [number, string, string]> = {
  'function-error': [502, '{"message": "Internal server error"}', 'InternalServerErrorException'],
  timeout: [504, '{"message": "Endpoint request timed out"}', 'IntegrationTimeoutException'],
  'not-found': [403, '{"message":"Missing Authentication Token"}', 'MissingAuthenticationTokenException'],
  unauthorized: [401, '{"message":"Unauthorized"}', 'UnauthorizedException'],
  forbidden: [403, '{"message":"Forbidden"}', 'ForbiddenException'],
  'explicit-deny': [403, '{"Message":"User is not authorized to access this resource with an explicit deny"}', 'AccessDeniedException'],
  'missing-auth-token': [403, '{"message":"Missing Authentication Token"}', 'MissingAuthenticationTokenException'],
  'too-large': [413, '{"message":"Request Too Long"}', 'RequestTooLongException'],
  throttled: [429, '{"message":"Too Many Requests"}', 'TooManyRequestsException'],
  'authorizer-failure': [500, '{"message": null}', 'AuthorizerConfigurationException'],
  'service-error': [500, '{"message": "Internal server error"}', 'InternalServerErrorException'],
};

const HTTP: Record<Problem, [number, string]> = {
  'function-error': [500, '{"message":"Internal Server Error"}'],
  timeout: [503, '{"message":"Service Unavailable"}'],
  'not-found': [404, '{"message":"Not Found"}'],
  unauthorized: [401, '{"message":"Unauthorized"}'],
  forbidden: [403, '{"message":"Forbidden"}'],
  'explicit-deny': [403, '{"message":"Forbidden"}'],
  'missing-auth-token': [403, '{"message":"Forbidden"}'],
  'too-large': [413, '{"message":"Request Entity Too Large"}'],
  throttled: [429, '{"message":"Too Many Requests"}'],
  'authorizer-failure': [500, '{"message":"Internal Server Error"}'],
  'service-error': [500, '{"message":"Internal Server Error"}'],
};

const URL: Record<Problem, [number, string]> = {
  'function-error': [502, 'Internal Server Error'],
  timeout: [502, 'Internal Server Error'],
  'not-found': [404, '{"Message":null}'],
  unauthorized: [403, '{"Message":"Forbidden"}'],
  forbidden: [403, '{"Message":"Forbidden"}'],
  'explicit-deny': [403, '{"Message":"Forbidden"}'],
  'missing-auth-token': [403, '{"Message":"Forbidden"}'],
  'too-large': [413, '{"Message":"Request must be smaller than 6291456 bytes for the InvokeFunction operation"}'],
  throttled: [429, '{"Message":"Rate Exceeded."}'],
  'authorizer-failure': [500, '{"Message":null}'],
  'service-error': [500, 'Internal Server Error'],
};

export function gatewayError(kind: GatewayKind, problem: Problem): HttpResult {
  if (kind === 'rest') {
    const [status, body, type] = REST[problem];
    return jsonResult(status, body, [['x-amzn-ErrorType', type]]);
  }
  const [status, body] = (kind === 'http' ? HTTP : URL)[problem];
  if (!body.startsWith('{')) return { statusCode: status, headers: [['Content-Type', 'text/plain']], body: Buffer.from(body) };
  return jsonResult(status, body);
}

/**
 * Runs one request's `serve`; a local failure (no build, a crashed bootstrap) answers as the
 * service's own error and is reported, never ending the server.
 */
export async function serveReportingFailures(
  runtime: LocalRuntime,
  kind: GatewayKind,
  req: IncomingMessage,
  res: ServerResponse,
  serve: () => Promise<void>,
): Promise<void> {
  try {
    await serve();
  } catch (err) {
    runtime.emit('diagnostic', { level: 'error', message: `${req.method} ${req.url}: ${(err as Error).message}` });
    sendResult(res, gatewayError(kind, 'service-error'));
  }
}
