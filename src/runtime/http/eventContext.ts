// What a front door knows about one request when it builds the function's event.
import type { FrontDoorRequest } from './frontDoorRequest';

export interface EventContext {
  request: FrontDoorRequest;
  accountId: string;
  apiId: string;
  /** `Prod`, `$default`... */
  stage: string;
  stageVariables: Record<string, string>;
  /** `GET /items/{id}`, `ANY /{proxy+}` or `$default`. */
  routeKey: string;
  /** The route's resource path (`/items/{id}`), `$default` for the catch-all. */
  resourcePath: string;
  pathParameters: Record<string, string>;
  /** The request path without the stage prefix, percent-encoded as sent. */
  path: string;
  /** The path as the client sent it (with the stage prefix when there was one). */
  fullPath: string;
  requestId: string;
  extendedRequestId: string;
  /** Host as the client addressed us; API Gateway puts the (custom) domain name here. */
  domainName: string;
  /** True when the body goes to the function base64-encoded. */
  base64Body: boolean;
  /** What an authorizer passed on, shaped for this event format. */
  authorizer?: Record<string, unknown>;
  /** REST: identity.apiKey / apiKeyId when the route requires an API key. */
  apiKey?: string;
}

export function domainPrefix(domainName: string): string {
  return domainName.split(':')[0].split('.')[0];
}

export function eventBody(ctx: EventContext): string | undefined {
  const { body } = ctx.request;
  if (body.length === 0) return undefined;
  return ctx.base64Body ? body.toString('base64') : body.toString('utf8');
}

export function decodePath(path: string): string {
  try {
    return decodeURI(path);
  } catch {
    return path;
  }
}
