// Lambda authorizers run as real local functions. REST: TOKEN (the identity header's value) or
// REQUEST (the request's parts) events answered with an IAM policy; HTTP APIs: REQUEST events in
// payload 1.0 or 2.0, answered with a policy or, with simple responses, `{isAuthorized}`. What
// the authorizer puts in `context` reaches the integration's requestContext.authorizer. Nothing
// is cached: every request runs the authorizer.
import { JsonPayload } from '../invokePayload';
import type { LocalRuntime } from '../localRuntime';
import type { ApiKind, AuthorizerConfig } from '../template/httpModel';
import type { EventContext } from './eventContext';
import { buildEventV1 } from './eventV1';
import { buildEventV2 } from './eventV2';
import { headerValue, queryPairs } from './frontDoorRequest';
import type { Problem } from './gatewayErrors';
import { evaluatePolicy } from './iamPolicy';

type LambdaAuthorizer = Extract<AuthorizerConfig, { kind: 'lambda' }>;

export type AuthorizerOutcome = { ok: true; authorizer?: Record<string, unknown> } | { ok: false; problem: Problem };

/** The value an identity source names (`method.request.header.X`, `$request.querystring.q`, `stageVariables.s`). */
export function identityValue(ctx: EventContext, source: string): string | undefined {
  const m = /^(?:method\.request|\$request)\.(header|querystring)\.(.+)$/.exec(source);
  if (m) {
    if (m[1] === 'header') return headerValue(ctx.request, m[2]);
    return queryPairs(ctx.request.rawQuery)
      .filter(([k]) => k === m[2])
      .at(-1)?.[1];
  }
  const s = /^\$?stageVariables\.(.+)$/.exec(source);
  return s ? ctx.stageVariables[s[1]] : undefined;
}

/** Authorizers see the request without its body. */
function withoutBody(event: Record<string, unknown>): Record<string, unknown> {
  const rest = { ...event };
  delete rest.body;
  delete rest.isBase64Encoded;
  return rest;
}

function stringContext(context: unknown): Record<string, unknown> {
  if (!context || typeof context !== 'object') return {};
  return Object.fromEntries(Object.entries(context as Record<string, unknown>).filter(([, v]) => v === null || typeof v !== 'object'));
}

export async function runLambdaAuthorizer(
  runtime: LocalRuntime,
  kind: ApiKind,
  config: LambdaAuthorizer,
  ctx: EventContext,
  methodArn: string,
  /** The integration's payload format: 2.0 events carry the context under `lambda`. */
  integrationFormat: '1.0' | '2.0',
): Promise<AuthorizerOutcome> {
  const identity = config.identitySources.map((s) => identityValue(ctx, s));
  if (identity.some((v) => v === undefined || v === '')) return { ok: false, problem: 'unauthorized' };
  if (!config.functionName) return { ok: false, problem: 'unauthorized' };
  const v2 = kind === 'http' && config.payloadFormat === '2.0';
  let event: Record<string, unknown>;
  if (kind === 'rest' && config.type === 'TOKEN') {
    event = { type: 'TOKEN', authorizationToken: identity[0], methodArn };
  } else if (v2) {
    event = { version: '2.0', type: 'REQUEST', routeArn: methodArn, identitySource: identity, ...withoutBody(buildEventV2(ctx)) };
  } else {
    event = {
      ...(kind === 'http' ? { version: '1.0', identitySource: identity.join(',') } : {}),
      type: 'REQUEST',
      methodArn,
      ...withoutBody(buildEventV1(ctx, kind)),
    };
  }
  const started = Date.now();
  let result;
  try {
    result = await runtime.invoke(config.functionName, JsonPayload.of(event));
  } catch {
    return { ok: false, problem: 'authorizer-failure' };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(result.payload.toString('utf8'));
  } catch {
    return { ok: false, problem: 'authorizer-failure' };
  }
  if (!parsed || typeof parsed !== 'object') return { ok: false, problem: 'authorizer-failure' };
  const answer = parsed as Record<string, unknown>;
  // Throwing `Unauthorized` is how an authorizer asks for a 401, as in API Gateway.
  if (result.functionError) return { ok: false, problem: answer.errorMessage === 'Unauthorized' ? 'unauthorized' : 'authorizer-failure' };
  const context = stringContext(answer.context);
  if (v2 && config.simpleResponses) {
    if (answer.isAuthorized !== true) return { ok: false, problem: 'forbidden' };
  } else {
    const decision = evaluatePolicy(answer.policyDocument, methodArn);
    if (decision !== 'allow') return { ok: false, problem: kind === 'rest' && decision === 'deny' ? 'explicit-deny' : 'forbidden' };
  }
  if (kind === 'http' && integrationFormat === '2.0') return { ok: true, authorizer: { lambda: context } };
  return { ok: true, authorizer: { ...context, principalId: answer.principalId ?? null, integrationLatency: Date.now() - started } };
}
