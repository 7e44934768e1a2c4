// AWS Lambda's REST API on localhost, for the AWS SDKs and CLI: Invoke (RequestResponse,
// Event, DryRun) plus the management operations of managementRoutes.ts. Signed requests are
// accepted whatever their credentials; nothing is ever sent to AWS.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { invalidRequestContent } from '../lambdaErrors';
import { MAX_ASYNC_PAYLOAD, MAX_SYNC_PAYLOAD, type LocalRuntime } from '../localRuntime';
import { DeploymentStore } from '../store/deploymentStore';
import { invalidParameter } from '../store/versionStore';
import { sendError, unknownOperation } from './apiErrors';
import { ApiRequest } from './apiRequest';
import { AsyncInvokeQueue } from './asyncInvokeQueue';
import type { HttpFrontDoors } from '../http/frontDoors';
import { functionUrlRoutes } from './functionUrlRoutes';
import { invokeWithResponseStream } from './invokeWithResponseStream';
import { lookupFunction, managementRoutes, type Route } from './managementRoutes';

export interface LambdaApiServerOptions {
  host?: string;
  /** 0 picks a free port. Default 3001, as `sam local start-lambda`. */
  port?: number;
  /** Shared versions/aliases/layers store; one is made (and attached to the runtime) when absent. */
  deployment?: DeploymentStore;
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
  if (!deployment) {
    const template = runtime.templateModels()[0]?.templatePath;
    const stateDir = runtime.options.stateDir ?? (template ? runtime.stateDirFor(template) : join(process.cwd(), '.lambda-lab'));
    deployment = new DeploymentStore(runtime, { stateDir });
    await deployment.attach();
  }
  const events = new AsyncInvokeQueue(runtime);
  const routes: Route[] = [
    { method: 'POST', pattern: ['2015-03-31', 'functions', '{FunctionName}', 'invocations'], handler: (r) => invoke(runtime, deployment, events, r) },
    { method: 'POST', pattern: ['2021-11-15', 'functions', '{FunctionName}', 'response-streaming-invocations'], handler: (r) => invokeWithResponseStream(runtime, deployment, r) },
    ...managementRoutes(runtime, deployment),
    ...(options.frontDoors ? functionUrlRoutes(runtime, options.frontDoors) : []),
  ];

  const server = createServer({ keepAlive: true }, (req, res) => void handle(routes, req, res));
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
  const shownHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  return {
    url: `http://${shownHost}:${port}`,
    deployment,
    events,
    /** Stops accepting requests; in-flight ones get a moment, then their sockets close. Queued events are not awaited (see events.drain()). */
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

async function handle(routes: Route[], req: IncomingMessage, res: ServerResponse): Promise<void> {
  const requestId = randomUUID();
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const segments = path.split('/').filter(Boolean);
  try {
    for (const route of routes) {
      if (route.method !== req.method || route.pattern.length !== segments.length) continue;
      const params = matchSegments(route.pattern, segments);
      if (!params) continue;
      await route.handler(new ApiRequest(req, res, params, new URLSearchParams(q < 0 ? '' : url.slice(q + 1)), requestId));
      return;
    }
    req.resume();
    throw unknownOperation(req.method ?? 'GET', path);
  } catch (err) {
    sendError(res, err, requestId);
  }
}

function matchSegments(pattern: string[], segments: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i];
    if (p.startsWith('{')) params[p.slice(1, -1)] = decodeURIComponent(segments[i]);
    else if (p !== segments[i]) return undefined;
  }
  return params;
}

const INVOCATION_TYPES = new Set(['RequestResponse', 'Event', 'DryRun']);

async function invoke(runtime: LocalRuntime, deployment: DeploymentStore, events: AsyncInvokeQueue, r: ApiRequest): Promise<void> {
  const { fn, qualifier } = lookupFunction(runtime, r.params.FunctionName, r.query.get('Qualifier') ?? undefined);
  const type = r.header('x-amz-invocation-type') ?? 'RequestResponse';
  if (!INVOCATION_TYPES.has(type)) {
    throw invalidParameter(`InvocationType ${type} is not one of RequestResponse, Event, DryRun.`);
  }
  const clientContext = r.header('x-amz-client-context');
  const body = await r.body(type === 'Event' ? MAX_ASYNC_PAYLOAD : MAX_SYNC_PAYLOAD);
  if (type !== 'RequestResponse') {
    // Both answer before anything runs, so the qualifier and payload are checked here.
    if (qualifier && qualifier !== '$LATEST') await deployment.versions.resolve(fn, qualifier);
    if (type === 'DryRun') {
      r.send(204);
      return;
    }
    checkJson(body);
    events.enqueue({ functionName: fn.functionName, payload: body, qualifier, clientContext, requestId: r.requestId });
    r.send(202);
    return;
  }
  const result = await runtime.invoke(fn.functionName, body, { qualifier, clientContext, requestId: r.requestId });
  const headers: Record<string, string | number> = {
    'Content-Type': 'application/json',
    'Content-Length': result.payload.length,
    'x-amzn-RequestId': result.requestId,
    'X-Amz-Executed-Version': result.version,
  };
  if (result.functionError) headers['X-Amz-Function-Error'] = result.functionError;
  if (r.header('x-amz-log-type') === 'Tail') {
    headers['X-Amz-Log-Result'] = Buffer.from(result.logTail).subarray(-LOG_TAIL_BYTES).toString('base64');
  }
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
