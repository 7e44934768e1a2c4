// Payload format 1.0: what REST APIs (and HTTP APIs configured for 1.0) send a Lambda proxy
// integration. Field by field as in AWS's documented example: headers keep the client's case,
// single-value maps hold the last value, multi-value maps hold them all, absent maps are null.
import { headerValue, queryPairs } from './frontDoorRequest';
import { decodePath, domainPrefix, eventBody, type EventContext } from './eventContext';
import { requestTime } from './requestIds';

type Multi = Record<string, string[]>;

function collect(pairs: Array<[string, string]>): { single: Record<string, string> | null; multi: Multi | null } {
  if (pairs.length === 0) return { single: null, multi: null };
  const single: Record<string, string> = {};
  const multi: Multi = {};
  for (const [k, v] of pairs) {
    single[k] = v;
    (multi[k] ??= []).push(v);
  }
  return { single, multi };
}

export function buildEventV1(ctx: EventContext, kind: 'rest' | 'http'): Record<string, unknown> {
  const { request } = ctx;
  const headers = collect(request.headers);
  const query = collect(queryPairs(request.rawQuery));
  const identity: Record<string, unknown> = {
    cognitoIdentityPoolId: null,
    accountId: null,
    cognitoIdentityId: null,
    caller: null,
    sourceIp: request.sourceIp,
    principalOrgId: null,
    accessKey: null,
    cognitoAuthenticationType: null,
    cognitoAuthenticationProvider: null,
    userArn: null,
    userAgent: headerValue(request, 'user-agent') ?? null,
    user: null,
  };
  if (ctx.apiKey !== undefined) {
    identity.apiKey = ctx.apiKey;
    identity.apiKeyId = ctx.apiKey ? `local-${ctx.apiKey.slice(0, 8)}` : '';
  }
  const requestContext: Record<string, unknown> = {
    accountId: ctx.accountId,
    apiId: ctx.apiId,
    ...(ctx.authorizer ? { authorizer: ctx.authorizer } : {}),
    domainName: ctx.domainName,
    domainPrefix: domainPrefix(ctx.domainName),
    extendedRequestId: ctx.extendedRequestId,
    httpMethod: request.method,
    identity,
    path: decodePath(ctx.fullPath),
    protocol: request.protocol,
    requestId: ctx.requestId,
    requestTime: requestTime(request.receivedAt),
    requestTimeEpoch: request.receivedAt,
    resourceId: kind === 'rest' ? ctx.apiId.slice(0, 6) : null,
    resourcePath: ctx.resourcePath,
    stage: ctx.stage,
  };
  if (kind === 'http') requestContext.routeKey = ctx.routeKey;
  const body = eventBody(ctx);
  const event: Record<string, unknown> = {
    ...(kind === 'http' ? { version: '1.0' } : {}),
    resource: ctx.resourcePath,
    path: decodePath(ctx.path),
    httpMethod: request.method,
    headers: headers.single,
    multiValueHeaders: headers.multi,
    queryStringParameters: query.single,
    multiValueQueryStringParameters: query.multi,
    pathParameters: Object.keys(ctx.pathParameters).length ? ctx.pathParameters : null,
    stageVariables: Object.keys(ctx.stageVariables).length ? ctx.stageVariables : null,
    requestContext,
    body: body ?? null,
    isBase64Encoded: body !== undefined && ctx.base64Body,
  };
  return event;
}
