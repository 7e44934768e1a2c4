// Payload format 2.0: HTTP APIs' default and every function URL's event. Header names lower
// case with repeated values joined by commas, cookies split out of the Cookie header, query
// values joined by commas, the raw query string as sent; absent parts are left out.
import { queryPairs } from './frontDoorRequest';
import { domainPrefix, eventBody, type EventContext } from './eventContext';
import { requestTime } from './requestIds';

export function buildEventV2(ctx: EventContext): Record<string, unknown> {
  const { request } = ctx;
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (const [name, value] of request.headers) {
    const key = name.toLowerCase();
    if (key === 'cookie') {
      cookies.push(
        ...value
          .split(';')
          .map((c) => c.trim())
          .filter(Boolean),
      );
      continue;
    }
    headers[key] = key in headers ? `${headers[key]},${value}` : value;
  }
  const query: Record<string, string> = {};
  for (const [k, v] of queryPairs(request.rawQuery)) query[k] = k in query ? `${query[k]},${v}` : v;
  const body = eventBody(ctx);
  const event: Record<string, unknown> = {
    version: '2.0',
    routeKey: ctx.routeKey,
    rawPath: ctx.fullPath,
    rawQueryString: request.rawQuery,
  };
  if (cookies.length) event.cookies = cookies;
  event.headers = headers;
  if (Object.keys(query).length) event.queryStringParameters = query;
  event.requestContext = {
    accountId: ctx.accountId,
    apiId: ctx.apiId,
    ...(ctx.authorizer ? { authorizer: ctx.authorizer } : {}),
    domainName: ctx.domainName,
    domainPrefix: domainPrefix(ctx.domainName),
    http: {
      method: request.method,
      path: ctx.fullPath,
      protocol: request.protocol,
      sourceIp: request.sourceIp,
      userAgent: headers['user-agent'] ?? '',
    },
    requestId: ctx.requestId,
    routeKey: ctx.routeKey,
    stage: ctx.stage,
    time: requestTime(request.receivedAt),
    timeEpoch: request.receivedAt,
  };
  if (body !== undefined) event.body = body;
  if (Object.keys(ctx.pathParameters).length) event.pathParameters = ctx.pathParameters;
  event.isBase64Encoded = body !== undefined && ctx.base64Body;
  if (Object.keys(ctx.stageVariables).length) event.stageVariables = ctx.stageVariables;
  return event;
}
