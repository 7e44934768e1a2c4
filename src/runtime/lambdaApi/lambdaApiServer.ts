// AWS Lambda's REST API on localhost, for the AWS SDKs and CLI: Invoke (RequestResponse,
// Event, DryRun) plus the management operations of managementRoutes.ts. requestGuards.ts decides
// who may call it (signed requests, whatever their credentials, addressed to this server, not
// from web pages); nothing is ever sent to AWS.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { invalidRequestContent, unknownOperation, validationError } from '../errors/serviceErrors';
import { MAX_ASYNC_PAYLOAD, MAX_SYNC_PAYLOAD, type LocalRuntime } from '../localRuntime';
import { DeploymentStore } from '../versions/deploymentStore';
import { ApiRequest } from './apiRequest';
import { AsyncInvokeQueue } from './asyncInvokeQueue';
import { sendError } from './errorResponse';
import { eventInvokeConfigRoutes } from './eventInvokeConfigRoutes';
import type { HttpFrontDoors } from '../http/frontDoors';
import { functionUrlRoutes } from './functionUrlRoutes';
import { invokeWithResponseStream } from './invokeWithResponseStream';
import { durableRoutes } from './durableRoutes';
import { invokeDurable } from './durableInvoke';
import { lookupFunction, managementRoutes, type Route } from './managementRoutes';
import { operationNames } from './operationNames';
import { provisionedConcurrencyRoutes } from './provisionedConcurrencyRoutes';
import { checkClientContext } from './lambdaPatterns';
import { createRequestGuard, sendRefusal, type RequestGuard } from './requestGuards';

export interface LambdaApiServerOptions {
  host?: string;
  /** 0 picks a free port. Default 3001, as `sam local start-lambda`. */
  port?: number;
  /** Shared versions/aliases/layers store; one is made (and attached to the runtime) when absent. */
  deployment?: DeploymentStore;
  /** Serve requests without a SigV4 signature (curl); the SDKs and the AWS CLI always sign. */
  allowUnsigned?: boolean;
  /** Host names besides the listen address and loopback names that requests may be addressed to. */
  allowedHosts?: string[];
  /** Multiplies asynchronous retry delays and event ages (default RuntimeOptions.asyncRetryDelayScale, else 1). */
  asyncRetryDelayScale?: number;
  /** Running API Gateway APIs and function URLs: enables the function URL operations. */
  frontDoors?: HttpFrontDoors;
}

export interface LambdaApiServer {
  url: string;
  deployment: DeploymentStore;
  events: AsyncInvokeQueue;
  close(): Promise<void>;
}

/** `LogType: Tail` returns the last 4 KB of the invocation's log. */
const LOG_TAIL_BYTES = 4096;
/** How long close() lets in-flight invokes finish before cutting their connections. */
const CLOSE_GRACE_MS = 1000;

export async function startLambdaApiServer(runtime: LocalRuntime, options: LambdaApiServerOptions = {}): Promise<LambdaApiServer> {
  let deployment = options.deployment;
  const ownDeployment = !deployment;
  const template = runtime.templateModels()[0]?.templatePath;
  const stateDir = runtime.options.stateDir ?? (template ? runtime.stateDirFor(template) : join(process.cwd(), '.lambda-lab'));
  if (!deployment) {
    deployment = new DeploymentStore(runtime, { stateDir });
    await deployment.attach();
  }
  const events = new AsyncInvokeQueue(runtime, { stateDir, retryDelayScale: options.asyncRetryDelayScale });
  await events.start();
  const routes: Route[] = [
    {
      method: 'POST',
      pattern: ['2015-03-31', 'functions', '{FunctionName}', 'invocations'],
      handler: (r) => invoke(runtime, deployment, events, r),
    },
    {
      method: 'POST',
      pattern: ['2021-11-15', 'functions', '{FunctionName}', 'response-streaming-invocations'],
      handler: (r) => invokeWithResponseStream(runtime, deployment, r),
    },
    ...managementRoutes(runtime, deployment),
    ...eventInvokeConfigRoutes(runtime, deployment, events.configs),
    ...durableRoutes(runtime, deployment),
    ...provisionedConcurrencyRoutes(runtime, deployment),
    ...(options.frontDoors ? functionUrlRoutes(runtime, options.frontDoors) : []),
  ];

  let guard: RequestGuard = () => undefined;
  // Whatever a request does, it ends its own response at worst, never the process.
  const server = createServer({ keepAlive: true }, (req, res) => void handle(routes, guard, req, res).catch(() => res.destroy()));
  // Lambda invokes may run for 15 minutes; idle keep-alive sockets outlive the SDK's.
  server.requestTimeout = 0;
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 3001, host, () => {
      server.off('error', fail);
      ok();
    });
  });
  const { port } = server.address() as AddressInfo;
  guard = createRequestGuard({ host, port, allowUnsigned: options.allowUnsigned, allowedHosts: options.allowedHosts });
  const shownHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  return {
    url: `http://${shownHost}:${port}`,
    deployment,
    events,
    /** Stops accepting requests; in-flight ones get a moment, then their sockets close. Queued events stay on disk for the next start (see events.drain()). */
    async close() {
      events.close();
      await new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS).unref();
      });
      if (ownDeployment) deployment.detach();
    },
  };
}

export async function handle(routes: Route[], guard: RequestGuard, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const requestId = randomUUID();
  const refused = guard(req);
  if (refused) {
    req.resume();
    sendRefusal(res, refused, requestId);
    return;
  }
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const segments = path.split('/').filter(Boolean);
  try {
    for (const route of routes) {
      if (route.method !== req.method || route.pattern.length !== segments.length) continue;
      const params = matchSegments(route.pattern, segments);
      if (!params) continue;
      await route.handler(new ApiRequest(req, res, params, q < 0 ? '' : url.slice(q + 1), requestId));
      return;
    }
    req.resume();
    throw unknownOperation(req.method ?? 'GET', path, operationNames(routes));
  } catch (err) {
    sendError(res, err, requestId);
  }
}

function matchSegments(pattern: string[], segments: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i];
    if (p.startsWith('{')) params[p.slice(1, -1)] = decodeSegment(segments[i]);
    else if (p !== segments[i]) return undefined;
  }
  return params;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw invalidRequestContent(`The request path segment "${segment.slice(0, 200)}" holds a malformed percent-escape.`);
  }
}

const INVOCATION_TYPES = ['Event', 'RequestResponse', 'DryRun'];
const LOG_TYPES = ['None', 'Tail'];

/** An enum header, or the ValidationException Lambda answers for any other value. */
function enumHeader(r: ApiRequest, header: string, field: string, values: string[], fallback: string): string {
  const value = r.header(header) ?? fallback;
  if (!values.includes(value)) throw validationError(value, field, `Member must satisfy enum value set: [${values.join(', ')}]`);
  return value;
}

async function invoke(runtime: LocalRuntime, deployment: DeploymentStore, events: AsyncInvokeQueue, r: ApiRequest): Promise<void> {
  const { fn, qualifier } = lookupFunction(runtime, r.params.FunctionName, r.query.get('Qualifier') ?? undefined);
  const type = enumHeader(r, 'x-amz-invocation-type', 'invocationType', INVOCATION_TYPES, 'RequestResponse');
  const logType = enumHeader(r, 'x-amz-log-type', 'logType', LOG_TYPES, 'None');
  const clientContext = r.header('x-amz-client-context');
  checkClientContext(clientContext);
  const body = await r.body(type === 'Event' ? MAX_ASYNC_PAYLOAD : MAX_SYNC_PAYLOAD, type === 'Event' ? 'Event' : undefined);
  if (fn.durableConfig) return invokeDurable(runtime, deployment, r, fn, qualifier, type, body);
  if (type !== 'RequestResponse') {
    // Both answer before anything runs, so the qualifier and payload are checked here.
    if (qualifier && qualifier !== '$LATEST') await deployment.versions.resolve(fn, qualifier);
    if (type === 'DryRun') {
      r.send(204);
      return;
    }
    checkJson(body);
    // Lambda passes ClientContext to synchronous invocations only.
    await events.enqueue({ functionName: fn.functionName, payload: body, qualifier, requestId: r.requestId });
    r.send(202);
    return;
  }
  const result = await runtime.invoke(fn.functionName, body, { qualifier, clientContext, requestId: r.requestId });
  // A flat name/value list: Node writes it as given, without walking an object's keys.
  const headers: string[] = [
    'Content-Type',
    'application/json',
    'Content-Length',
    String(result.payload.length),
    'x-amzn-RequestId',
    result.requestId,
    'X-Amz-Executed-Version',
    result.version,
  ];
  if (result.functionError) headers.push('X-Amz-Function-Error', result.functionError);
  if (logType === 'Tail') headers.push('X-Amz-Log-Result', Buffer.from(result.logTail).subarray(-LOG_TAIL_BYTES).toString('base64'));
  r.res.writeHead(200, headers);
  r.res.end(result.payload);
}

function checkJson(body: Buffer): void {
  if (body.length === 0) return;
  try {
    JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw invalidRequestContent(`Could not parse request body into json: ${(err as Error).message}`);
  }
}
