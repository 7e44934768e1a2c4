// One environment's Lambda Runtime API (2018-06-01): the endpoint its runtime client polls
// for events (`invocation/next`) and posts results to. It knows nothing about processes;
// ExecutionEnvironment drives it.
import * as http from 'node:http';
import * as net from 'node:net';
import { THEN_NEXT_HEADER } from '../bootstrap/bootstrapProtocol';
import { localSocketPath } from './localSockets';

const PREFIX = '/2018-06-01/runtime';
/** A result that also polls (our bootstraps' clients): answered with the next event instead of 202. */
const POLLING_RESULT = THEN_NEXT_HEADER.toLowerCase();
/** Lambda's limits: 6 MB buffered responses, 20 MB streamed ones. */
export const MAX_SYNC_RESPONSE_BYTES = 6 * 1024 * 1024;
export const MAX_STREAMED_RESPONSE_BYTES = 20 * 1024 * 1024;

export interface RuntimeApiEvent {
  requestId: string;
  payload: Buffer;
  deadlineMs: number;
  invokedFunctionArn: string;
  traceId: string;
  clientContext?: string;
  cognitoIdentity?: string;
}

export type RuntimeApiOutcome =
  | { kind: 'response'; requestId: string; payload: Buffer; streamed: boolean }
  | { kind: 'error'; requestId: string; payload: Buffer; errorType: string }
  | { kind: 'too-large'; requestId: string; size: number; limit: number };

export interface RuntimeApiHandlers {
  /** The runtime client asked for the next event: init is over (first call) or the last invoke is done. */
  onNext(): void;
  onOutcome(outcome: RuntimeApiOutcome): void;
  onInitError(payload: Buffer, errorType: string): void;
  /** A chunk of a streamed response as it arrives, with the stream's Content-Type. */
  onStreamChunk?(requestId: string, chunk: Buffer, contentType: string | undefined): void;
  /**
   * The other APIs Lambda serves on this endpoint (Extensions, Telemetry, Logs): true when it
   * took the request. Asked only for URLs outside the Runtime API.
   */
  route?(req: http.IncomingMessage, res: http.ServerResponse): boolean;
}

/** What an environment needs of its Runtime API endpoint (a fake in unit tests). */
export interface RuntimeApiEndpoint {
  /**
   * Opens the endpoint; resolves with its `host:port` (AWS_LAMBDA_RUNTIME_API). With
   * `localSocket`, it also answers on a Unix socket where it can have one (localSockets.ts).
   */
  listen(options?: { localSocket?: boolean }): Promise<string>;
  /** That Unix socket's path (RUNTIME_API_SOCKET_ENV), once listen() opened one. */
  readonly localSocket?: string;
  /** Hands an event to the runtime client now if it is polling, else when it next polls. */
  deliver(event: RuntimeApiEvent): void;
  /** Whether the runtime client is parked in `next` right now. */
  readonly polling: boolean;
  /** Closes the endpoint and every connection: a runtime client polling it sees it gone. */
  close(): void;
}

export class RuntimeApiServer implements RuntimeApiEndpoint {
  private readonly server: http.Server;
  private local: net.Server | undefined;
  localSocket: string | undefined;
  private waiting: http.ServerResponse | undefined;
  private pendingEvent: RuntimeApiEvent | undefined;
  /** Request ids handed out and not yet answered: guards against double answers. */
  private readonly open = new Set<string>();
  /** Bodies of answers being read. */
  private reading = 0;
  /**
   * Polls that arrived while an answer's body was still being read. A client may pipeline its
   * poll right behind its answer (ours does); node emits the poll's request before the answer's
   * body has ended, so the poll waits: requests take effect in the order they were sent.
   */
  private readonly pollsBehindAnswers: Array<() => void> = [];
  /** 202s for answers, written after the answer's caller has been resolved (see acknowledge). */
  private readonly unacknowledged: http.ServerResponse[] = [];

  constructor(private readonly handlers: RuntimeApiHandlers) {
    this.server = http.createServer((req, res) => this.route(req, res));
    this.server.keepAliveTimeout = 0; // the runtime client long-polls: never close its idle socket
    this.server.requestTimeout = 0;
    this.server.headersTimeout = 0;
  }

  async listen(options: { localSocket?: boolean } = {}): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', resolve);
    });
    if (options.localSocket) await this.listenLocally();
    return `127.0.0.1:${(this.server.address() as net.AddressInfo).port}`;
  }

  /** The same HTTP server behind a Unix socket too (removed when closed); without one, TCP serves alone. */
  private async listenLocally(): Promise<void> {
    const socket = localSocketPath();
    if (!socket) return;
    const local = net.createServer((connection) => this.server.emit('connection', connection));
    const listening = await new Promise<boolean>((resolve) => {
      local.once('error', () => resolve(false));
      local.listen(socket, () => resolve(true));
    });
    if (!listening) return;
    this.local = local;
    this.localSocket = socket;
  }

  /** Hands an event to the runtime client now if it is polling, else when it next polls. */
  deliver(event: RuntimeApiEvent): void {
    this.open.add(event.requestId);
    if (this.waiting) {
      const res = this.waiting;
      this.waiting = undefined;
      this.send(res, event);
    } else {
      this.pendingEvent = event;
    }
  }

  /** Whether the runtime client is parked in `next` right now. */
  get polling(): boolean {
    return this.waiting !== undefined;
  }

  close(): void {
    this.waiting?.destroy();
    this.waiting = undefined;
    this.server.closeAllConnections();
    this.server.close();
    this.local?.close();
  }

  private send(res: http.ServerResponse, e: RuntimeApiEvent) {
    this.flushAcknowledgements();
    // A flat name/value list: node writes it as given, without walking an object's keys.
    const headers = [
      'Content-Type',
      'application/json',
      'Lambda-Runtime-Aws-Request-Id',
      e.requestId,
      'Lambda-Runtime-Deadline-Ms',
      String(e.deadlineMs),
      'Lambda-Runtime-Invoked-Function-Arn',
      e.invokedFunctionArn,
      'Lambda-Runtime-Trace-Id',
      e.traceId,
      'Content-Length',
      String(e.payload.length),
    ];
    if (e.clientContext) headers.push('Lambda-Runtime-Client-Context', e.clientContext);
    if (e.cognitoIdentity) headers.push('Lambda-Runtime-Cognito-Identity', e.cognitoIdentity);
    res.writeHead(200, headers);
    res.end(e.payload);
  }

  private route(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = req.url ?? '';
    if (!url.startsWith(PREFIX) && this.handlers.route?.(req, res)) return;
    if (req.method === 'GET' && url === `${PREFIX}/invocation/next`) {
      if (this.reading) this.pollsBehindAnswers.push(() => this.next(req, res));
      else this.next(req, res);
      return;
    }
    if (req.method === 'POST' && url === `${PREFIX}/init/error`) {
      return this.readBody(req, MAX_SYNC_RESPONSE_BYTES, (body) => {
        this.handlers.onInitError(body ?? Buffer.alloc(0), errorTypeOf(req, body));
        accepted(res);
      });
    }
    const m = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(url);
    if (req.method === 'POST' && m) {
      const requestId = decodeURIComponent(m[1]);
      if (!this.open.has(requestId)) {
        return this.settleAnswer(req, res, {
          status: 400,
          body: { errorMessage: `Invalid request ID: ${requestId}`, errorType: 'InvalidRequestID' },
        });
      }
      return m[2] === 'response' ? this.response(requestId, req, res) : this.error(requestId, req, res);
    }
    reply(res, 404, { errorMessage: `No such Runtime API route: ${req.method} ${url}`, errorType: 'NotFound' });
  }

  private next(req: http.IncomingMessage, res: http.ServerResponse) {
    req.resume();
    if (this.waiting) {
      reply(res, 400, { errorMessage: 'Another invocation/next request is already waiting', errorType: 'InvalidStateTransition' });
      return;
    }
    this.handlers.onNext();
    const event = this.pendingEvent;
    if (event) {
      this.pendingEvent = undefined;
      this.send(res, event);
    } else {
      this.waiting = res;
      res.on('close', () => {
        if (this.waiting === res) this.waiting = undefined;
      });
    }
  }

  private response(requestId: string, req: http.IncomingMessage, res: http.ServerResponse) {
    const streamed = String(req.headers['lambda-runtime-function-response-mode'] ?? '').toLowerCase() === 'streaming';
    const limit = streamed ? MAX_STREAMED_RESPONSE_BYTES : MAX_SYNC_RESPONSE_BYTES;
    const contentType = req.headers['content-type'];
    const onChunk = streamed ? (c: Buffer) => this.handlers.onStreamChunk?.(requestId, c, contentType) : undefined;
    this.readBody(
      req,
      limit,
      (body, size) => {
        this.open.delete(requestId);
        if (body === undefined) {
          this.handlers.onOutcome({ kind: 'too-large', requestId, size, limit });
          return this.settleAnswer(req, res, {
            status: 413,
            body: { errorMessage: `Exceeded maximum allowed payload size (${limit} bytes).`, errorType: 'RequestEntityTooLarge' },
          });
        }
        // A stream that fails midway reports its error in trailers, after the body.
        const trailerType = req.trailers['lambda-runtime-function-error-type'];
        if (streamed && trailerType) {
          const errorBody = Buffer.from(req.trailers['lambda-runtime-function-error-body'] ?? '', 'base64');
          this.handlers.onOutcome({ kind: 'error', requestId, payload: errorBody, errorType: trailerType });
        } else {
          this.handlers.onOutcome({ kind: 'response', requestId, payload: body, streamed });
        }
        this.settleAnswer(req, res);
      },
      onChunk,
    );
  }

  private error(requestId: string, req: http.IncomingMessage, res: http.ServerResponse) {
    this.readBody(req, MAX_SYNC_RESPONSE_BYTES, (body) => {
      this.open.delete(requestId);
      const payload =
        body ?? Buffer.from(JSON.stringify({ errorType: 'Function.ResponseSizeTooLarge', errorMessage: 'Error payload too large' }));
      this.handlers.onOutcome({ kind: 'error', requestId, payload, errorType: errorTypeOf(req, body) });
      this.settleAnswer(req, res);
    });
  }

  /**
   * The HTTP answer to an invocation's response/error, taken (202) or refused: a client whose
   * answer carries its poll (POLLING_RESULT, our bootstraps) gets the next event instead, whatever
   * became of the answer (a poll riding on a refused one is still a poll).
   */
  private settleAnswer(req: http.IncomingMessage, res: http.ServerResponse, refusal?: { status: number; body: object }) {
    if (req.headers[POLLING_RESULT]) return this.next(req, res);
    if (refusal) return reply(res, refusal.status, refusal.body);
    this.acknowledge(res);
  }

  /**
   * Answers an invocation's response/error with 202 once this turn's work is done: the caller
   * that the answer resolves (onOutcome's handler, set up earlier in this turn) gets its result
   * first, and the 202 does not cost a write on that path. An event delivered sooner sends
   * them first (HTTP answers go in request order). A client waiting for the 202 before polling
   * (as AWS's clients do) waits one turn of our loop longer.
   */
  private acknowledge(res: http.ServerResponse) {
    if (this.unacknowledged.push(res) === 1) setImmediate(() => this.flushAcknowledgements());
  }

  private flushAcknowledgements() {
    for (const res of this.unacknowledged.splice(0)) accepted(res);
  }

  /** Collects a body up to `limit` bytes; past it, drains the rest and reports undefined with the full size. */
  private readBody(
    req: http.IncomingMessage,
    limit: number,
    done: (body: Buffer | undefined, size: number) => void,
    onChunk?: (chunk: Buffer) => void,
  ) {
    this.reading++;
    const chunks: Buffer[] = [];
    let size = 0;
    let finished = false;
    const finish = (body: Buffer | undefined) => {
      if (finished) return;
      finished = true;
      done(body, size);
      if (--this.reading === 0) for (const poll of this.pollsBehindAnswers.splice(0)) poll();
    };
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= limit) {
        chunks.push(c);
        onChunk?.(c);
      }
    });
    req.on('end', () => finish(size > limit ? undefined : chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size)));
    req.on('error', () => finish(undefined));
  }
}

function errorTypeOf(req: http.IncomingMessage, body: Buffer | undefined): string {
  const header = req.headers['lambda-runtime-function-error-type'];
  if (typeof header === 'string' && header) return header;
  try {
    const parsed = JSON.parse(body?.toString() ?? '');
    if (typeof parsed?.errorType === 'string') return parsed.errorType;
  } catch {
    // not JSON: fall through
  }
  return 'Unhandled';
}

const ACCEPTED_BODY = JSON.stringify({ status: 'OK' });

function accepted(res: http.ServerResponse) {
  res.writeHead(202, { 'Content-Type': 'application/json', 'Content-Length': ACCEPTED_BODY.length });
  res.end(ACCEPTED_BODY);
}

function reply(res: http.ServerResponse, status: number, body: object) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
