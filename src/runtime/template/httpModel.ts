// The HTTP front doors a template declares: API Gateway APIs (REST and HTTP) with their routes,
// and function URLs. Shapes follow what API Gateway and Lambda keep for each, reduced to what
// decides how a request becomes an event and a result becomes a response.
import type { SourcePosition } from '../functionConfig';

export type ApiKind = 'rest' | 'http';
export type PayloadFormat = '1.0' | '2.0';

export interface CorsConfig {
  allowOrigins: string[];
  allowMethods: string[];
  allowHeaders: string[];
  exposeHeaders: string[];
  allowCredentials: boolean;
  /** Seconds; undefined sends no Access-Control-Max-Age. */
  maxAge?: number;
}

export type AuthorizerConfig =
  | {
      kind: 'lambda';
      name: string;
      /** Function (logical id or name) that runs the authorizer. */
      functionName: string;
      /** REST: TOKEN or REQUEST. HTTP APIs always send REQUEST-shaped events. */
      type: 'TOKEN' | 'REQUEST';
      /** HTTP APIs: `1.0` or `2.0` authorizer payloads. */
      payloadFormat: PayloadFormat;
      /** HTTP API 2.0 authorizers may answer `{isAuthorized, context}` instead of an IAM policy. */
      simpleResponses: boolean;
      /** `$request.header.Authorization` / `method.request.header.Authorization` style sources. */
      identitySources: string[];
    }
  | {
      kind: 'jwt';
      name: string;
      identitySources: string[];
      issuer?: string;
      audiences: string[];
    }
  | { kind: 'iam'; name: string };

export interface RouteConfig {
  /** Upper case method or `ANY`. */
  method: string;
  /** Resource path as declared (`/items/{id}`, `/{proxy+}`), or `$default` for an HTTP API's catch-all. */
  path: string;
  /** Logical id of the integrated function. */
  functionId: string;
  payloadFormat: PayloadFormat;
  /** Integration timeout (REST 29 s, HTTP API 30 s unless TimeoutInMillis says less). */
  timeoutMs: number;
  /** Authorizer name, or undefined for none. */
  authorizer?: string;
  /** JWT scopes the route requires (HTTP APIs). */
  authorizationScopes: string[];
  apiKeyRequired: boolean;
  /** SAM event name or OpenAPI operation, for tables and messages. */
  source: string;
}

export interface ApiConfig {
  /** Logical id; `ServerlessRestApi` / `ServerlessHttpApi` for SAM's implicit APIs. */
  logicalId: string;
  kind: ApiKind;
  /** REST APIs: `Prod` unless StageName says otherwise; HTTP APIs: `$default`. */
  stageName: string;
  stageVariables: Record<string, string>;
  /** REST APIs only: request/response content types passed as base64. */
  binaryMediaTypes: string[];
  cors?: CorsConfig;
  authorizers: AuthorizerConfig[];
  routes: RouteConfig[];
  templatePath: string;
  position: SourcePosition;
}

export type FunctionUrlAuthType = 'NONE' | 'AWS_IAM';
export type InvokeMode = 'BUFFERED' | 'RESPONSE_STREAM';

export interface FunctionUrlSpec {
  /** Logical id of the function. */
  functionId: string;
  authType: FunctionUrlAuthType;
  invokeMode: InvokeMode;
  cors?: CorsConfig;
  /** Alias the URL points at, when the template gives one. */
  qualifier?: string;
}

export interface HttpFrontDoorConfig {
  apis: ApiConfig[];
  functionUrls: FunctionUrlSpec[];
}

/** API Gateway's integration timeouts: 29 s for REST APIs, 30 s for HTTP APIs. */
export const REST_TIMEOUT_MS = 29_000;
export const HTTP_API_TIMEOUT_MS = 30_000;
