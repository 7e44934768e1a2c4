// The peer of a runtime client in tests: a real Runtime API 2018-06-01 server that hands out
// queued events and captures what the client posts back, plus a launcher for our Node
// bootstrap (out/bootstrap/node.js) with Lambda's environment. Used to test the bootstrap on
// its own, independently of the environment/ room's server.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { THEN_NEXT_HEADER, type BootstrapLogRecord } from '../../src/runtime/bootstrap/bootstrapProtocol';

const API = '/2018-06-01/runtime';
const repoRoot = path.resolve(__dirname, '../..');
export const bootstrapBundle = path.join(repoRoot, 'out/bootstrap/node.js');
export const fixture = (...parts: string[]) => path.join(repoRoot, 'test/fixtures/handlers', ...parts);

export interface InvocationRequest {
  event?: unknown;
  /** Sent as-is instead of JSON.stringify(event). */
  rawBody?: string;
  requestId?: string;
  deadlineMs?: number;
  traceId?: string;
  clientContext?: unknown;
  cognitoIdentity?: unknown;
}

export interface InvocationOutcome {
  requestId: string;
  kind: 'response' | 'error';
  headers: http.IncomingHttpHeaders;
  trailers: NodeJS.Dict<string>;
  body: Buffer;
}

export interface PostedError {
  headers: http.IncomingHttpHeaders;
  body: { errorType: string; errorMessage: string; trace: string[] };
}

interface Pending {
  request: InvocationRequest & { requestId: string };
  settle(outcome: InvocationOutcome): void;
}

let nextId = 0;

export class RuntimeApiTestServer {
  /** TCP connections the client opened; keep-alive means one. */
  connections = 0;
  /** Answers posted for a request id that was not in flight (answered twice, or never sent). */
  strayPosts = 0;
  /** Answers that asked to be answered with the next event (this server answers them 202 all the same, as AWS's does). */
  answersCarryingPoll = 0;
  private readonly queue: Pending[] = [];
  private readonly inFlight = new Map<string, Pending>();
  private readonly parkedNext: http.ServerResponse[] = [];
  private readonly initErrors: PostedError[] = [];
  private initErrorWaiters: ((e: PostedError) => void)[] = [];

  private constructor(private readonly server: http.Server) {
    server.on('connection', () => this.connections++);
    server.on('request', (req, res) => this.route(req, res));
  }

  static async start(): Promise<RuntimeApiTestServer> {
    const server = http.createServer({ keepAliveTimeout: 60_000 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new RuntimeApiTestServer(server);
  }

  get endpoint(): string {
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Queues one event; resolves with what the client posts for it. */
  invoke(request: InvocationRequest = {}): Promise<InvocationOutcome> {
    return new Promise((settle) => {
      const requestId = request.requestId ?? `req-${process.pid}-${++nextId}`;
      this.queue.push({ request: { ...request, requestId }, settle });
      this.dispatch();
    });
  }

  initError(): Promise<PostedError> {
    const posted = this.initErrors[0];
    return posted ? Promise.resolve(posted) : new Promise((resolve) => this.initErrorWaiters.push(resolve));
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private dispatch(): void {
    while (this.queue.length && this.parkedNext.length) {
      const pending = this.queue.shift()!;
      const res = this.parkedNext.shift()!;
      const r = pending.request;
      this.inFlight.set(r.requestId, pending);
      const headers: http.OutgoingHttpHeaders = {
        'Content-Type': 'application/json',
        'Lambda-Runtime-Aws-Request-Id': r.requestId,
        'Lambda-Runtime-Deadline-Ms': String(r.deadlineMs ?? Date.now() + 60_000),
        'Lambda-Runtime-Invoked-Function-Arn': 'arn:aws:lambda:us-east-1:123456789012:function:fn',
      };
      if (r.traceId) headers['Lambda-Runtime-Trace-Id'] = r.traceId;
      if (r.clientContext !== undefined) headers['Lambda-Runtime-Client-Context'] = JSON.stringify(r.clientContext);
      if (r.cognitoIdentity !== undefined) headers['Lambda-Runtime-Cognito-Identity'] = JSON.stringify(r.cognitoIdentity);
      res.writeHead(200, headers).end(r.rawBody ?? JSON.stringify(r.event ?? {}));
    }
  }

  private route(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = req.url ?? '';
    if (req.method === 'GET' && url === `${API}/invocation/next`) {
      this.parkedNext.push(res);
      this.dispatch();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const answer = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(url);
      if (req.method === 'POST' && answer) {
        const requestId = decodeURIComponent(answer[1]);
        const pending = this.inFlight.get(requestId);
        if (!pending) {
          this.strayPosts++;
          return void res.writeHead(400).end(JSON.stringify({ errorMessage: `unknown request ${requestId}` }));
        }
        this.inFlight.delete(requestId);
        if (req.headers[THEN_NEXT_HEADER.toLowerCase()]) this.answersCarryingPoll++;
        res.writeHead(202).end('{"status":"OK"}');
        pending.settle({ requestId, kind: answer[2] as 'response' | 'error', headers: req.headers, trailers: req.trailers, body });
        return;
      }
      if (req.method === 'POST' && url === `${API}/init/error`) {
        res.writeHead(202).end('{"status":"OK"}');
        const posted: PostedError = { headers: req.headers, body: JSON.parse(body.toString()) };
        this.initErrors.push(posted);
        for (const waiter of this.initErrorWaiters.splice(0)) waiter(posted);
        return;
      }
      res.writeHead(404).end();
    });
  }
}

export interface StartOptions {
  taskRoot: string;
  handler: string;
  env?: Record<string, string>;
  /** Ask for BootstrapLogRecords on fd 3 (LAMBDA_LAB_LOG_FD). */
  logFd?: boolean;
  /** node flags before the bundle, e.g. --inspect=127.0.0.1:0 */
  nodeArgs?: string[];
}

/** A running bootstrap process with everything it wrote. */
export class BootstrapProcess {
  stdout = '';
  stderr = '';
  private logText = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private waiters: { ready(): boolean; resolve(): void }[] = [];

  constructor(readonly child: ChildProcess) {
    child.stdout!.setEncoding('utf8').on('data', (d: string) => this.received(() => (this.stdout += d)));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => this.received(() => (this.stderr += d)));
    const logStream = child.stdio[3] as NodeJS.ReadableStream | null | undefined;
    logStream?.setEncoding('utf8');
    logStream?.on('data', (d: string) => this.received(() => (this.logText += d)));
    this.exited = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  }

  /**
   * Resolves once `ready()` holds for what the process wrote. Output pipes and the Runtime API
   * are separate channels: a record written before the response may still be in transit.
   */
  until(ready: () => boolean): Promise<void> {
    if (ready()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ ready, resolve }));
  }

  private received(append: () => void): void {
    append();
    this.waiters = this.waiters.filter((w) => (w.ready() ? (w.resolve(), false) : true));
  }

  /** Text lines written to stdout (Lambda's Text format: one record per line). */
  get stdoutLines(): string[] {
    return this.stdout.split('\n').filter(Boolean);
  }

  get logRecords(): BootstrapLogRecord[] {
    return this.logText
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as BootstrapLogRecord);
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

/** Rebuilds the bundle when a bootstrap source is newer, so this file's tests run alone too. */
export function ensureBootstrapBuilt(): void {
  const sources = path.join(repoRoot, 'src/runtime/bootstrap');
  const newest = Math.max(
    ...readdirSync(sources, { recursive: true, encoding: 'utf8' }).map((f) => statSync(path.join(sources, f)).mtimeMs),
  );
  if (!existsSync(bootstrapBundle) || statSync(bootstrapBundle).mtimeMs < newest) {
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: repoRoot, stdio: 'inherit' });
  }
}

export function startBootstrap(server: RuntimeApiTestServer, options: StartOptions): BootstrapProcess {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    TZ: ':UTC',
    LANG: 'en_US.UTF-8',
    AWS_REGION: 'us-east-1',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs20.x',
    AWS_LAMBDA_FUNCTION_NAME: 'fn',
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128',
    AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/fn',
    AWS_LAMBDA_LOG_STREAM_NAME: '2024/01/01/[$LATEST]0123456789abcdef0123456789abcdef',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_RUNTIME_API: server.endpoint,
    LAMBDA_TASK_ROOT: options.taskRoot,
    _HANDLER: options.handler,
    ...options.env,
  };
  if (options.logFd) env.LAMBDA_LAB_LOG_FD = '3';
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), bootstrapBundle], {
    cwd: options.taskRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe', options.logFd ? 'pipe' : 'ignore'],
  });
  return new BootstrapProcess(child);
}

/** A server plus one bootstrap process; `dispose()` kills and closes both. */
export class BootstrapSession {
  private constructor(
    readonly server: RuntimeApiTestServer,
    readonly process: BootstrapProcess,
  ) {}

  static async start(options: StartOptions): Promise<BootstrapSession> {
    const server = await RuntimeApiTestServer.start();
    return new BootstrapSession(server, startBootstrap(server, options));
  }

  invoke(request?: InvocationRequest): Promise<InvocationOutcome> {
    return this.server.invoke(request);
  }

  /** Parses a posted JSON body (response or error). */
  static json<T = unknown>(outcome: InvocationOutcome): T {
    return JSON.parse(outcome.body.toString('utf8')) as T;
  }

  async dispose(): Promise<void> {
    this.process.kill();
    await this.process.exited;
    await this.server.close();
  }
}
