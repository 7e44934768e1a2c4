// One API Gateway API (REST or HTTP) from the template, on its own port: the stage prefix,
// CORS, route resolution, API keys and authorizers, the event in the route's payload format, the
// integration timeout, and the response mapped (or streamed) back as API Gateway does it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LocalRuntime } from '../localRuntime';
import type { ApiConfig, RouteConfig } from '../template/httpModel';
import { answerPreflight, decorateResponse, isPreflight, restCorsOptions } from './cors';
import type { EventContext } from './eventContext';
import { buildEventV1 } from './eventV1';
import { buildEventV2 } from './eventV2';
import { headerValue, PayloadTooLarge, readFrontDoorRequest, withForwardingHeaders, type FrontDoorRequest } from './frontDoorRequest';
import { gatewayError, serveReportingFailures, type Problem } from './gatewayErrors';
import { sendResult, type HttpResult } from './httpResult';
import { invokeIntegration } from './integration';
import { checkJwt } from './jwtAuthorizer';
import { identityValue, runLambdaAuthorizer, type AuthorizerOutcome } from './lambdaAuthorizer';
import { listen, type Listener } from './listener';
import { isTextType, matchesMediaType } from './mediaTypes';
import { randomUUID, shortRequestId, stableId, traceId } from './requestIds';
import { mapResponseV1, mapResponseV2 } from './responseMapping';
import { RouteTable, type RouteMatch } from './routeTable';
import type { StreamHead } from './streamedResponse';

/** API Gateway refuses request payloads over 10 MB. */
const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

export interface ApiServerOptions {
  host: string;
  port: number;
}

export class ApiGatewayServer {
  readonly apiId: string;
  private table: RouteTable;
  private listener: Listener | undefined;

  constructor(
    private readonly runtime: LocalRuntime,
    private api: ApiConfig,
  ) {
    this.apiId = stableId(`${api.templatePath}#${api.logicalId}`);
    this.table = new RouteTable(api.routes);
  }

  get config(): ApiConfig {
    return this.api;
  }

  /** The base URL clients use: with the stage prefix, as API Gateway's invoke URL has it. */
  get url(): string {
    const base = this.listener?.url ?? '';
    return this.api.stageName === '$default' ? base : `${base}/${this.api.stageName}`;
  }

  get port(): number | undefined {
    return this.listener?.port;
  }

  async start(options: ApiServerOptions): Promise<void> {
    this.listener = await listen(options.host, options.port, (req, res) => void this.handle(req, res));
  }

  /** A reloaded template: same port, new routes. */
  update(api: ApiConfig): void {
    this.api = api;
    this.table = new RouteTable(api.routes);
  }

  async close(): Promise<void> {
    await this.listener?.close();
  }

  private handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    return serveReportingFailures(this.runtime, this.api.kind, req, res, () => this.serve(req, res));
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const kind = this.api.kind;
    const requestId = kind === 'rest' ? randomUUID() : shortRequestId();
    const trace = traceId(Date.now());
    const extendedRequestId = kind === 'rest' ? shortRequestId() : requestId;
    const stamp = (headers: Array<[string, string]>): Array<[string, string]> =>
      kind === 'rest'
        ? [...headers, ['x-amzn-RequestId', requestId], ['x-amz-apigw-id', extendedRequestId], ['X-Amzn-Trace-Id', trace]]
        : [...headers, ['Apigw-Requestid', requestId]];
    let request: FrontDoorRequest;
    try {
      request = withForwardingHeaders(await readFrontDoorRequest(req, MAX_REQUEST_BYTES), this.port, trace);
    } catch (err) {
      const result = gatewayError(kind, err instanceof PayloadTooLarge ? 'too-large' : 'function-error');
      sendResult(res, { ...result, headers: stamp(result.headers), body: result.body });
      return;
    }
    const answer = (result: HttpResult) => {
      const headers = kind === 'http' && this.api.cors ? decorateResponse(this.api.cors, request, result.headers) : result.headers;
      sendResult(res, { ...result, headers: stamp(headers) });
    };
    const fail = (problem: Problem) => answer(gatewayError(kind, problem));

    const { path, prefixed } = this.stripStage(request.rawPath);
    if (kind === 'http' && this.api.cors && isPreflight(request)) {
      const preflight = answerPreflight(this.api.cors, request);
      return sendResult(res, { ...preflight, headers: stamp(preflight.headers) });
    }
    const match = this.table.match(request.method, path);
    if (
      kind === 'rest' &&
      this.api.cors &&
      request.method === 'OPTIONS' &&
      (!match || match.route.method !== 'OPTIONS') &&
      this.table.pathExists(path)
    ) {
      return answer(restCorsOptions(this.api.cors, this.table.methodsFor(path)));
    }
    if (!match) return fail('not-found');

    const route = match.route;
    const ctx = this.eventContext(request, match, path, prefixed ? request.rawPath : path, requestId, extendedRequestId);
    if (route.apiKeyRequired) {
      const key = headerValue(request, 'x-api-key');
      if (!key) return fail('forbidden');
      ctx.apiKey = key;
    }
    const auth = await this.authorize(route, ctx);
    if (!auth.ok) return fail(auth.problem);
    if (auth.authorizer) ctx.authorizer = auth.authorizer;

    const v1 = route.payloadFormat === '1.0';
    const event = v1 ? buildEventV1(ctx, kind) : buildEventV2(ctx);
    const decorate = (head: StreamHead): StreamHead => {
      const headers = kind === 'http' && this.api.cors ? decorateResponse(this.api.cors, request, head.headers) : head.headers;
      return { statusCode: head.statusCode, headers: stamp(headers) };
    };
    const outcome = await invokeIntegration({
      runtime: this.runtime,
      functionName: route.functionId,
      event,
      timeoutMs: route.timeoutMs,
      stream: { res, decorate },
    });
    if (outcome.kind === 'streamed') return;
    if (outcome.kind === 'timeout') return fail('timeout');
    if (outcome.kind === 'refused') return fail(outcome.error.statusCode === 413 ? 'too-large' : 'service-error');
    if (outcome.result.functionError) return fail('function-error');
    const mapped = v1
      ? mapResponseV1(outcome.result.payload, { kind, binaryMediaTypes: this.api.binaryMediaTypes, accept: headerValue(request, 'accept') })
      : mapResponseV2(outcome.result.payload);
    if (!mapped) return fail('function-error');
    answer(mapped);
  }

  /** `/Prod/items` → `/items` (the invoke URL form); a path without the prefix is taken as is (a custom domain's form). */
  private stripStage(rawPath: string): { path: string; prefixed: boolean } {
    const stage = this.api.stageName;
    if (stage === '$default') return { path: rawPath, prefixed: false };
    const prefix = `/${stage}`;
    if (rawPath === prefix) return { path: '/', prefixed: true };
    if (rawPath.startsWith(`${prefix}/`)) return { path: rawPath.slice(prefix.length), prefixed: true };
    return { path: rawPath, prefixed: false };
  }

  private eventContext(
    request: FrontDoorRequest,
    match: RouteMatch,
    path: string,
    fullPath: string,
    requestId: string,
    extendedRequestId: string,
  ): EventContext {
    const route = match.route;
    const contentType = headerValue(request, 'content-type');
    const base64Body =
      this.api.kind === 'rest'
        ? matchesMediaType(contentType, this.api.binaryMediaTypes)
        : request.body.length > 0 && !isTextType(contentType);
    return {
      request,
      accountId: this.runtime.accountId,
      apiId: this.apiId,
      stage: this.api.stageName,
      stageVariables: this.api.stageVariables,
      routeKey: route.path === '$default' ? '$default' : `${route.method} ${route.path}`,
      resourcePath: route.path,
      pathParameters: match.pathParameters,
      path,
      fullPath,
      requestId,
      extendedRequestId,
      domainName: headerValue(request, 'host') ?? 'localhost',
      base64Body,
    };
  }

  private methodArn(ctx: EventContext, route: RouteConfig): string {
    const prefix = `arn:aws:execute-api:${this.runtime.region}:${this.runtime.accountId}:${this.apiId}/${this.api.stageName}`;
    if (this.api.kind === 'http') return `${prefix}/${route.path === '$default' ? '$default' : `${route.method}${route.path}`}`;
    return `${prefix}/${ctx.request.method}${ctx.path}`;
  }

  private async authorize(route: RouteConfig, ctx: EventContext): Promise<AuthorizerOutcome> {
    if (!route.authorizer) return { ok: true };
    const config = this.api.authorizers.find((a) => a.name === route.authorizer);
    if (route.authorizer === 'AWS_IAM' || config?.kind === 'iam') {
      // Any SigV4-signed request is accepted; unsigned ones are refused as API Gateway refuses them.
      const signed =
        /^AWS4-HMAC-SHA256 /.test(headerValue(ctx.request, 'authorization') ?? '') || /X-Amz-Signature=/.test(ctx.request.rawQuery);
      return signed ? { ok: true } : { ok: false, problem: 'missing-auth-token' };
    }
    if (!config) return { ok: false, problem: 'authorizer-failure' };
    if (config.kind === 'jwt') {
      const outcome = checkJwt(
        config,
        identityValue(ctx, config.identitySources[0] ?? '$request.header.Authorization'),
        route.authorizationScopes,
        Date.now(),
      );
      return outcome.ok ? { ok: true, authorizer: outcome.authorizer } : { ok: false, problem: outcome.problem };
    }
    if (config.kind === 'lambda')
      return runLambdaAuthorizer(this.runtime, this.api.kind, config, ctx, this.methodArn(ctx, route), route.payloadFormat);
    return { ok: false, problem: 'authorizer-failure' };
  }
}
