// Template → HttpFrontDoors: SAM's `Api`/`HttpApi` function events (onto the implicit
// ServerlessRestApi/ServerlessHttpApi or the API they name), explicit AWS::Serverless::Api /
// AWS::Serverless::HttpApi and plain AWS::ApiGateway::RestApi / AWS::ApiGatewayV2::Api with an
// OpenAPI body, and function URLs (FunctionUrlConfig, AWS::Lambda::Url) — as SAM's translator and
// API Gateway would read them.
import type { FunctionConfig } from '../functionConfig';
import { listCors, restApiCors } from './corsConfig';
import { isPlainMap, mergeGlobals } from './globals';
import {
  HTTP_API_TIMEOUT_MS,
  REST_TIMEOUT_MS,
  type ApiConfig,
  type ApiKind,
  type AuthorizerConfig,
  type FunctionUrlSpec,
  type HttpFrontDoorConfig,
  type PayloadFormat,
} from './httpModel';
import { NO_VALUE } from './intrinsics';
import type { LoadContext } from './loadContext';
import { openApiRoutes } from './openApiRoutes';
import type { TemplateMap, TemplateValue } from './templateDocument';

const SERVERLESS_API = 'AWS::Serverless::Api';
const SERVERLESS_HTTP_API = 'AWS::Serverless::HttpApi';
const REST_API = 'AWS::ApiGateway::RestApi';
const HTTP_API = 'AWS::ApiGatewayV2::Api';
const IMPLICIT_REST = 'ServerlessRestApi';
const IMPLICIT_HTTP = 'ServerlessHttpApi';

export function readHttpFrontDoors(ctx: LoadContext, resources: TemplateMap, functions: FunctionConfig[]): HttpFrontDoorConfig {
  const reader = new FrontDoorReader(ctx, resources, functions);
  return reader.read();
}

class FrontDoorReader {
  private readonly apis = new Map<string, ApiConfig>();
  private readonly urls: FunctionUrlSpec[] = [];
  /** Per API: Auth.DefaultAuthorizer and Auth.ApiKeyRequired, which its routes inherit. */
  private readonly defaults = new Map<string, { authorizer?: string; apiKeyRequired: boolean }>();
  private readonly globals: TemplateMap;
  private readonly functionIds: Map<string, string>;

  constructor(
    private readonly ctx: LoadContext,
    private readonly resources: TemplateMap,
    private readonly functions: FunctionConfig[],
  ) {
    const g = ctx.doc.root.Globals;
    this.globals = isPlainMap(g) ? g : {};
    this.functionIds = new Map(
      functions.flatMap((f) => [
        [f.logicalId, f.logicalId],
        [f.functionName, f.logicalId],
      ]),
    );
  }

  read(): HttpFrontDoorConfig {
    for (const [id, resource] of Object.entries(this.resources)) {
      if (!isPlainMap(resource)) continue;
      if (resource.Type === SERVERLESS_API || resource.Type === REST_API) this.explicitApi(id, resource, 'rest');
      else if (resource.Type === SERVERLESS_HTTP_API || resource.Type === HTTP_API) this.explicitApi(id, resource, 'http');
    }
    for (const fn of this.functions) {
      const resource = this.resources[fn.logicalId];
      if (!isPlainMap(resource)) continue;
      this.functionEvents(fn, resource);
      this.functionUrlConfig(fn, resource);
    }
    for (const [id, resource] of Object.entries(this.resources)) {
      if (isPlainMap(resource) && resource.Type === 'AWS::Lambda::Url') this.lambdaUrl(id, resource);
    }
    return { apis: [...this.apis.values()].filter((a) => a.routes.length > 0), functionUrls: this.urls };
  }

  private resolve(value: TemplateValue | undefined, logicalId: string): TemplateValue | undefined {
    if (value === undefined) return undefined;
    const r = this.ctx.resolver.resolve(value, logicalId);
    return r === NO_VALUE ? undefined : r;
  }

  private map(value: TemplateValue | undefined, logicalId: string): TemplateMap {
    const r = this.resolve(value, logicalId);
    return isPlainMap(r) ? r : {};
  }

  /** The logical id behind `Ref X`, `GetAtt X.Arn` or an ARN/name of one of our functions. */
  private functionRef(value: TemplateValue | undefined, logicalId: string): string | undefined {
    if (isPlainMap(value)) {
      if (typeof value.Ref === 'string') return this.functionIds.get(value.Ref);
      const att = value['Fn::GetAtt'];
      if (Array.isArray(att) && typeof att[0] === 'string') return this.functionIds.get(att[0]);
      if (typeof att === 'string') return this.functionIds.get(att.split('.')[0]);
    }
    const s = this.resolve(value, logicalId);
    if (typeof s !== 'string') return undefined;
    const name = /:function:([^:/]+)/.exec(s)?.[1] ?? s;
    return this.functionIds.get(name);
  }

  private newApi(logicalId: string, kind: ApiKind, props: TemplateMap): ApiConfig {
    const stage = this.resolve(props.StageName, logicalId);
    const variables = this.map(kind === 'rest' ? props.Variables : props.StageVariables, logicalId);
    const binary = this.resolve(props.BinaryMediaTypes, logicalId);
    const api: ApiConfig = {
      logicalId,
      kind,
      stageName: typeof stage === 'string' && stage ? stage : kind === 'rest' ? 'Prod' : '$default',
      stageVariables: Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, String(v)])),
      // SAM writes `~1` for `/` in binary media types, as in a JSON pointer.
      binaryMediaTypes: Array.isArray(binary) ? binary.map((b) => String(b).replace(/~1/g, '/')) : [],
      cors: kind === 'rest' ? restApiCors(this.resolve(props.Cors, logicalId)) : listCors(this.resolve(props.CorsConfiguration, logicalId)),
      authorizers: this.authorizers(logicalId, kind, this.map(props.Auth, logicalId)),
      routes: [],
      templatePath: this.ctx.doc.templatePath,
      position: this.ctx.resourcePosition(logicalId),
    };
    const auth = this.map(props.Auth, logicalId);
    this.defaults.set(logicalId, {
      authorizer: typeof auth.DefaultAuthorizer === 'string' && auth.DefaultAuthorizer !== 'NONE' ? auth.DefaultAuthorizer : undefined,
      apiKeyRequired: auth.ApiKeyRequired === true,
    });
    this.apis.set(logicalId, api);
    return api;
  }

  private implicitApi(kind: ApiKind): ApiConfig {
    const id = kind === 'rest' ? IMPLICIT_REST : IMPLICIT_HTTP;
    const existing = this.apis.get(id);
    if (existing) return existing;
    const g = this.globals[kind === 'rest' ? 'Api' : 'HttpApi'];
    return this.newApi(id, kind, isPlainMap(g) ? g : {});
  }

  private explicitApi(logicalId: string, resource: TemplateMap, kind: ApiKind) {
    const own = isPlainMap(resource.Properties) ? resource.Properties : {};
    const serverless = resource.Type === SERVERLESS_API || resource.Type === SERVERLESS_HTTP_API;
    const g = this.globals[kind === 'rest' ? 'Api' : 'HttpApi'];
    const props = serverless && isPlainMap(g) ? mergeGlobals(this.ctx.doc, g, own) : own;
    const api = this.newApi(logicalId, kind, serverless ? props : { ...props, ...this.stageOf(logicalId, kind) });
    const body = this.resolve(serverless ? props.DefinitionBody : props.Body, logicalId);
    if (isPlainMap(body)) {
      for (const problem of openApiRoutes(api, body, (uri) => this.functionRef(uri, logicalId))) {
        this.ctx.warn(resource.Properties, serverless ? 'DefinitionBody' : 'Body', logicalId, problem);
      }
    } else if (!serverless && props.Body === undefined) {
      this.ctx.warn(
        resource,
        'Properties',
        logicalId,
        `${logicalId} has no inline OpenAPI Body; only its routes declared elsewhere are served`,
      );
    }
  }

  /** StageName/Variables of a plain API come from its AWS::ApiGateway(V2)::Stage resource. */
  private stageOf(apiId: string, kind: ApiKind): TemplateMap {
    const stageType = kind === 'rest' ? 'AWS::ApiGateway::Stage' : 'AWS::ApiGatewayV2::Stage';
    for (const [id, r] of Object.entries(this.resources)) {
      if (!isPlainMap(r) || r.Type !== stageType || !isPlainMap(r.Properties)) continue;
      const target = r.Properties[kind === 'rest' ? 'RestApiId' : 'ApiId'];
      if (!isPlainMap(target) || target.Ref !== apiId) continue;
      const p = r.Properties;
      const stageName = this.resolve(p.StageName, id);
      return { StageName: stageName ?? null, [kind === 'rest' ? 'Variables' : 'StageVariables']: p.Variables ?? p.StageVariables ?? null };
    }
    return {};
  }

  private authorizers(apiId: string, kind: ApiKind, auth: TemplateMap): AuthorizerConfig[] {
    const out: AuthorizerConfig[] = [];
    const list = isPlainMap(auth.Authorizers) ? auth.Authorizers : {};
    for (const [name, raw] of Object.entries(list)) {
      if (!isPlainMap(raw)) continue;
      const identity = isPlainMap(raw.Identity) ? raw.Identity : {};
      if (isPlainMap(raw.JwtConfiguration)) {
        const jwt = raw.JwtConfiguration;
        const aud = jwt.audience ?? jwt.Audience;
        out.push({
          kind: 'jwt',
          name,
          identitySources: [String(raw.IdentitySource ?? '$request.header.Authorization')],
          issuer: typeof (jwt.issuer ?? jwt.Issuer) === 'string' ? String(jwt.issuer ?? jwt.Issuer) : undefined,
          audiences: Array.isArray(aud) ? aud.map(String) : aud ? [String(aud)] : [],
        });
        continue;
      }
      const functionId = this.functionRef(raw.FunctionArn, apiId);
      if (!functionId) {
        this.ctx.warn(
          list,
          name,
          apiId,
          `authorizer ${name}: FunctionArn does not name a function of this template; requests it guards are refused (401)`,
        );
      }
      const type =
        kind === 'rest' && String(raw.FunctionPayloadType ?? 'TOKEN') === 'REQUEST' ? 'REQUEST' : kind === 'rest' ? 'TOKEN' : 'REQUEST';
      out.push({
        kind: 'lambda',
        name,
        functionName: functionId ?? '',
        type,
        payloadFormat: String(raw.AuthorizerPayloadFormatVersion ?? '2.0') === '1.0' ? '1.0' : '2.0',
        simpleResponses: raw.EnableSimpleResponses === true,
        identitySources: identitySources(kind, type, identity),
      });
    }
    if (auth.EnableIamAuthorizer === true) out.push({ kind: 'iam', name: 'AWS_IAM' });
    return out;
  }

  private functionEvents(fn: FunctionConfig, resource: TemplateMap) {
    const own = isPlainMap(resource.Properties) ? resource.Properties : {};
    const events = own.Events;
    if (!isPlainMap(events)) return;
    for (const [eventId, raw] of Object.entries(events)) {
      if (!isPlainMap(raw) || (raw.Type !== 'Api' && raw.Type !== 'HttpApi')) continue;
      const kind: ApiKind = raw.Type === 'Api' ? 'rest' : 'http';
      const rawProps = isPlainMap(raw.Properties) ? raw.Properties : {};
      const apiRef = rawProps[kind === 'rest' ? 'RestApiId' : 'ApiId'];
      const props = this.map(
        Object.fromEntries(Object.entries(rawProps).filter(([k]) => k !== 'RestApiId' && k !== 'ApiId')),
        fn.logicalId,
      );
      let api: ApiConfig | undefined;
      if (apiRef === undefined) api = this.implicitApi(kind);
      else if (isPlainMap(apiRef) && typeof apiRef.Ref === 'string') api = this.apis.get(apiRef.Ref);
      if (!api) {
        this.ctx.warn(
          rawProps,
          kind === 'rest' ? 'RestApiId' : 'ApiId',
          fn.logicalId,
          `event ${eventId}: the API must be a Ref to an ${kind === 'rest' ? SERVERLESS_API : SERVERLESS_HTTP_API} of this template; the route is not served`,
        );
        continue;
      }
      const path = typeof props.Path === 'string' ? props.Path : undefined;
      const method = typeof props.Method === 'string' ? props.Method.toUpperCase() : undefined;
      if (kind === 'rest' && (!path || !method)) {
        throw this.ctx.doc.error(
          raw,
          'Properties',
          fn.logicalId,
          `event ${eventId}: an Api event needs Path and Method (e.g. Path: /items, Method: get)`,
        );
      }
      const auth = isPlainMap(props.Auth) ? props.Auth : {};
      const defaults = this.defaults.get(api.logicalId) ?? { apiKeyRequired: false };
      const authorizer =
        typeof auth.Authorizer === 'string' ? (auth.Authorizer === 'NONE' ? undefined : auth.Authorizer) : defaults.authorizer;
      const timeout = Number(props.TimeoutInMillis);
      const max = kind === 'rest' ? REST_TIMEOUT_MS : HTTP_API_TIMEOUT_MS;
      const format = kind === 'rest' ? '1.0' : String(props.PayloadFormatVersion ?? '2.0');
      api.routes.push({
        method: method ?? 'ANY',
        path: path ?? '$default',
        functionId: fn.logicalId,
        payloadFormat: (format === '1.0' ? '1.0' : '2.0') as PayloadFormat,
        timeoutMs: Number.isFinite(timeout) && timeout >= 50 ? Math.min(timeout, max) : max,
        authorizer,
        authorizationScopes: Array.isArray(auth.AuthorizationScopes) ? auth.AuthorizationScopes.map(String) : [],
        apiKeyRequired: typeof auth.ApiKeyRequired === 'boolean' ? auth.ApiKeyRequired : defaults.apiKeyRequired,
        source: `${fn.logicalId}.${eventId}`,
      });
    }
  }

  private functionUrlConfig(fn: FunctionConfig, resource: TemplateMap) {
    if (resource.Type !== 'AWS::Serverless::Function') return;
    const own = isPlainMap(resource.Properties) ? resource.Properties : {};
    const merged = mergeGlobals(this.ctx.doc, this.ctx.functionGlobals, own);
    if (merged.FunctionUrlConfig === undefined) return;
    this.pushUrl(
      fn.logicalId,
      this.map(merged.FunctionUrlConfig, fn.logicalId),
      typeof merged.AutoPublishAlias === 'string' ? merged.AutoPublishAlias : undefined,
    );
  }

  private lambdaUrl(id: string, resource: TemplateMap) {
    const props = isPlainMap(resource.Properties) ? resource.Properties : {};
    const functionId = this.functionRef(props.TargetFunctionArn, id);
    if (!functionId) {
      this.ctx.warn(
        props,
        'TargetFunctionArn',
        id,
        `${id}: TargetFunctionArn does not name a function of this template; the URL is not served`,
      );
      return;
    }
    const resolved = this.map(Object.fromEntries(Object.entries(props).filter(([k]) => k !== 'TargetFunctionArn')), id);
    this.pushUrl(functionId, resolved, typeof resolved.Qualifier === 'string' ? resolved.Qualifier : undefined);
  }

  private pushUrl(functionId: string, config: TemplateMap, qualifier: string | undefined) {
    if (this.urls.some((u) => u.functionId === functionId && u.qualifier === qualifier)) return;
    this.urls.push({
      functionId,
      authType: config.AuthType === 'AWS_IAM' ? 'AWS_IAM' : 'NONE',
      invokeMode: config.InvokeMode === 'RESPONSE_STREAM' ? 'RESPONSE_STREAM' : 'BUFFERED',
      cors: listCors(config.Cors),
      qualifier,
    });
  }
}

/** Identity sources in API Gateway's own notation, from SAM's `Identity` block. */
function identitySources(kind: ApiKind, type: 'TOKEN' | 'REQUEST', identity: TemplateMap): string[] {
  const list = (v: TemplateValue | undefined) => (Array.isArray(v) ? v.map(String) : []);
  if (kind === 'rest') {
    if (type === 'TOKEN') return [`method.request.header.${String(identity.Header ?? 'Authorization')}`];
    return [
      ...list(identity.Headers).map((h) => `method.request.header.${h}`),
      ...list(identity.QueryStrings).map((q) => `method.request.querystring.${q}`),
      ...list(identity.StageVariables).map((s) => `stageVariables.${s}`),
    ];
  }
  const sources = [
    ...list(identity.Headers).map((h) => `$request.header.${h}`),
    ...list(identity.QueryStrings).map((q) => `$request.querystring.${q}`),
    ...list(identity.StageVariables).map((s) => `$stageVariables.${s}`),
  ];
  return sources.length ? sources : ['$request.header.Authorization'];
}
