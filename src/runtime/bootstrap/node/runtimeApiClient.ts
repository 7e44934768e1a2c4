// The Runtime API 2018-06-01 client: one keep-alive connection to the endpoint in
// AWS_LAMBDA_RUNTIME_API, over which the bootstrap asks for work and reports results.
//
// It speaks HTTP/1.1 over a plain socket. Node's http client (ClientRequest, IncomingMessage,
// the agent's bookkeeping) cost more per warm invoke than everything else the bootstrap does,
// and the protocol needs little: a GET and POSTs with JSON bodies, answers with a
// Content-Length or chunked body. Requests are pipelined, answers matched in order (FIFO),
// so the poll for the next event can follow a result without waiting for its 202. Requests
// made in the same turn leave in one write (a result and the poll after it: one syscall, one
// segment for the Runtime API to read). Lambda Lab's Runtime API goes one step further: a
// result that asks for it (THEN_NEXT_HEADER) is answered with the next event, one exchange per
// invoke instead of two; any other Runtime API answers it 202 and gets the poll on its own.
// Streamed responses (responseStream.ts) are chunked uploads with trailers: they keep using
// node's http client, on a connection of their own.
import type http from 'node:http';
import net from 'node:net';
import { THEN_NEXT_HEADER } from '../bootstrapProtocol';
import { toRuntimeErrorResponse } from './runtimeErrors';

const API = '/2018-06-01/runtime';
export const ERROR_TYPE_HEADER = 'Lambda-Runtime-Function-Error-Type';
const HEAD_END = Buffer.from('\r\n\r\n');

export interface Invocation {
  /** The event, still as JSON text. */
  body: string;
  /** Lower-cased, as node delivers them. */
  headers: http.IncomingHttpHeaders;
}

interface Answer {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

interface PendingRequest {
  /** The request's bytes, kept to resend it once if a reused connection turns out closed. */
  text: string;
  retried: boolean;
  /** An invocation's result, not yet carrying a poll: the next poll of the same turn may ride on it. */
  result: boolean;
  resolve(answer: Answer): void;
  reject(error: Error): void;
}

/** An answer whose head has been read and whose body is still arriving. */
interface BodyInProgress {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Body bytes still expected (Content-Length), or -1 for a chunked body. */
  length: number;
}

export class RuntimeApiClient {
  readonly hostname: string;
  readonly port: number;
  private readonly hostHeader: string;
  private readonly nextRequest: string;
  private socket: net.Socket | undefined;
  /** Whether the current connection has already carried a full answer (keep-alive reuse). */
  private reused = false;
  /** Sent, unanswered, in the order the answers will come. */
  private readonly pending: PendingRequest[] = [];
  /** Received and not yet parsed; joined only when an answer can be complete (a 6 MB event arrives in many chunks). */
  private received: Buffer[] = [];
  private receivedBytes = 0;
  /** What `received` joined into while parsing. */
  private buffered: Buffer = Buffer.alloc(0);
  private inProgress: BodyInProgress | undefined;
  /** Requests made this turn, written together once the turn's synchronous code and microtasks are done. */
  private unsent: PendingRequest[] = [];
  /** The Runtime API answers results that ask for it with the next event (until one answers 202). */
  private answersWithNext = true;
  private streamingAgent: http.Agent | undefined;

  constructor(
    endpoint: string,
    /** The Unix socket our Runtime API also answers on (RUNTIME_API_SOCKET_ENV), preferred to TCP. */
    private readonly socketPath?: string,
  ) {
    const match = /^(.*):(\d+)$/.exec(endpoint);
    if (!match) throw new Error(`AWS_LAMBDA_RUNTIME_API must be HOST:PORT, got '${endpoint}'`);
    this.hostname = match[1].replace(/^\[(.*)\]$/, '$1');
    this.port = Number(match[2]);
    this.hostHeader = endpoint;
    this.nextRequest = `GET ${API}/invocation/next HTTP/1.1\r\nHost: ${endpoint}\r\n\r\n`;
  }

  /** Agent of the streamed POSTs: a connection apart, so their chunked bodies never interleave with our requests. */
  get agent(): http.Agent {
    return (this.streamingAgent ??= new (nodeHttp().Agent)({ keepAlive: true, maxSockets: 1 }));
  }

  async nextInvocation(): Promise<Invocation> {
    const result = this.answersWithNext ? this.unsent.at(-1) : undefined;
    const { status, body, headers } = result?.result ? await this.pollWith(result) : await this.send(this.nextRequest);
    if (status !== 200) throw new Error(`Runtime API GET /invocation/next answered ${status}: ${body}`);
    return { body, headers };
  }

  /** The poll rides on a result not yet written: its answer is the next event, or a 202 from a Runtime API that does not do this. */
  private pollWith(result: PendingRequest): Promise<Answer> {
    result.result = false;
    const requestLineEnd = result.text.indexOf('\r\n') + 2;
    result.text = `${result.text.slice(0, requestLineEnd)}${THEN_NEXT_HEADER}: 1\r\n${result.text.slice(requestLineEnd)}`;
    const posted = { resolve: result.resolve, reject: result.reject };
    return new Promise((resolve, reject) => {
      result.resolve = (answer) => {
        posted.resolve(answer);
        if (answer.status !== 202) return resolve(answer);
        this.answersWithNext = false;
        this.send(this.nextRequest).then(resolve, reject);
      };
      result.reject = (error) => {
        posted.reject(error);
        reject(error);
      };
    });
  }

  async postInvocationResponse(requestId: string, json: string): Promise<void> {
    await this.post(`${API}/invocation/${encodeURIComponent(requestId)}/response`, '', json);
  }

  async postInvocationError(requestId: string, error: unknown): Promise<void> {
    await this.postError(`${API}/invocation/${encodeURIComponent(requestId)}/error`, error);
  }

  async postInitError(error: unknown): Promise<void> {
    await this.postError(`${API}/init/error`, error);
  }

  /** Options for a streamed POST .../response; the caller owns the request (see responseStream.ts). */
  streamingRequestOptions(requestId: string, headers: http.OutgoingHttpHeaders): http.RequestOptions {
    return {
      method: 'POST',
      ...(this.socketPath ? { socketPath: this.socketPath } : { hostname: this.hostname, port: this.port }),
      path: `${API}/invocation/${encodeURIComponent(requestId)}/response`,
      headers,
      agent: this.agent,
    };
  }

  private async postError(path: string, error: unknown): Promise<void> {
    const response = toRuntimeErrorResponse(error);
    await this.post(path, `${ERROR_TYPE_HEADER}: ${headerValue(response.errorType)}\r\n`, JSON.stringify(response));
  }

  private post(path: string, extraHeaders: string, json: string): Promise<Answer> {
    return this.send(
      `POST ${path} HTTP/1.1\r\nHost: ${this.hostHeader}\r\n${extraHeaders}` +
        `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(json)}\r\n\r\n${json}`,
      path.startsWith(`${API}/invocation/`),
    );
  }

  private send(text: string, result = false): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const request = { text, retried: false, result, resolve, reject };
      this.pending.push(request);
      if (this.unsent.push(request) === 1) queueMicrotask(this.flush);
    });
  }

  /** Runs before any I/O callback, so 'close' (and its resend) never finds requests still unwritten. */
  private readonly flush = () => {
    const text = this.unsent.map((request) => request.text).join('');
    this.unsent = [];
    this.connection().write(text);
  };

  private connection(): net.Socket {
    if (this.socket) {
      // An open connection keeps the process alive only while an answer is awaited: otherwise
      // 'beforeExit' (callbackWaitsForEmptyEventLoop, handlers that never answer) would never come.
      this.socket.ref();
      return this.socket;
    }
    const socket = this.socketPath
      ? net.connect({ path: this.socketPath })
      : net.connect({ host: this.hostname, port: this.port, noDelay: true });
    this.socket = socket;
    this.reused = false;
    this.received = [];
    this.receivedBytes = 0;
    this.inProgress = undefined;
    let failure: Error | undefined;
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', (error) => (failure = error));
    socket.on('close', () => this.closed(socket, failure));
    return socket;
  }

  /** The connection is gone: requests a reused connection never answered are sent once more, the rest fail. */
  private closed(socket: net.Socket, failure: Error | undefined) {
    if (this.socket !== socket) return;
    this.socket = undefined;
    const unanswered = this.pending.splice(0);
    // Like node's agent: a kept-alive connection the server closed as we reused it never saw
    // the request, so resending it on a fresh one is safe — once, and only if nothing came back.
    const resend = this.reused && !this.inProgress && this.receivedBytes === 0;
    for (const request of unanswered) {
      if (resend && !request.retried) {
        this.pending.push({ ...request, retried: true });
        this.connection().write(request.text);
      } else {
        request.reject(failure ?? new Error('the Runtime API closed the connection'));
      }
    }
  }

  private receive(chunk: Buffer) {
    this.received.push(chunk);
    this.receivedBytes += chunk.length;
    if (this.inProgress && this.inProgress.length > this.receivedBytes) return;
    this.buffered = this.received.length === 1 ? chunk : Buffer.concat(this.received, this.receivedBytes);
    try {
      for (;;) {
        if (!this.inProgress && !this.readHead()) return;
        const answer = this.readBody(this.inProgress!);
        if (!answer) return;
        this.inProgress = undefined;
        this.reused = true;
        const request = this.pending.shift();
        if (this.pending.length === 0) this.socket?.unref();
        request?.resolve(answer);
      }
    } finally {
      this.received = this.buffered.length ? [this.buffered] : [];
      this.receivedBytes = this.buffered.length;
    }
  }

  /** Parses a status line and headers once they are all in; false while incomplete. */
  private readHead(): boolean {
    const end = this.buffered.indexOf(HEAD_END);
    if (end < 0) return false;
    const lines = this.buffered.toString('latin1', 0, end).split('\r\n');
    this.buffered = this.buffered.subarray(end + HEAD_END.length);
    const status = Number(lines[0].slice(9, 12));
    const headers: http.IncomingHttpHeaders = {};
    for (let i = 1; i < lines.length; i++) {
      const colon = lines[i].indexOf(':');
      if (colon <= 0) continue;
      const name = lines[i].slice(0, colon).trim().toLowerCase();
      const value = lines[i].slice(colon + 1).trim();
      const previous = headers[name];
      headers[name] = previous === undefined ? value : `${String(previous)}, ${value}`;
    }
    const chunked = /\bchunked\b/i.test(String(headers['transfer-encoding'] ?? ''));
    // No length and not chunked: the Runtime API's answers without a body (204, or none sent).
    const length = chunked ? -1 : Number(headers['content-length'] ?? 0);
    this.inProgress = { status, headers, length };
    return true;
  }

  /** The complete answer once its body is in (consuming it from the buffer); undefined while incomplete. */
  private readBody({ status, headers, length }: BodyInProgress): Answer | undefined {
    if (length >= 0) {
      if (this.buffered.length < length) return undefined;
      const body = this.buffered.toString('utf8', 0, length);
      this.buffered = this.buffered.subarray(length);
      return { status, headers, body };
    }
    const decoded = decodeChunked(this.buffered);
    if (!decoded) return undefined;
    this.buffered = this.buffered.subarray(decoded.consumed);
    return { status, headers, body: decoded.body };
  }
}

/** A chunked body (extensions and trailers skipped) once complete: its text and the bytes it took. */
function decodeChunked(buf: Buffer): { body: string; consumed: number } | undefined {
  const parts: Buffer[] = [];
  let pos = 0;
  for (;;) {
    const lineEnd = buf.indexOf('\r\n', pos);
    if (lineEnd < 0) return undefined;
    const size = parseInt(buf.toString('latin1', pos, lineEnd), 16);
    pos = lineEnd + 2;
    if (size === 0) {
      // Trailers, if any, end with an empty line.
      const end = buf.indexOf('\r\n', pos) === pos ? pos : buf.indexOf(HEAD_END, pos - 2);
      if (end < 0) return undefined;
      const consumed = end === pos ? pos + 2 : end + HEAD_END.length;
      return { body: Buffer.concat(parts).toString('utf8'), consumed };
    }
    if (buf.length < pos + size + 2) return undefined;
    parts.push(buf.subarray(pos, pos + size));
    pos += size + 2;
  }
}

/**
 * node's http module, loaded on first use: only streamed responses need it, and loading it
 * costs every cold start a few milliseconds.
 */
export const nodeHttp = (): typeof http => require('node:http') as typeof http;

/** Header values cannot carry line breaks; an error type with one must not break the request. */
const headerValue = (value: string) => value.replace(/[\r\n]+/g, ' ');

/**
 * The Runtime API is this process's only reason to live: if it is gone, so is the environment.
 * Exits once stdout and stderr are written out: on a pipe they are asynchronous, and
 * process.exit() would drop what the handler queued (the runtime closes the API to end an
 * environment gracefully).
 */
export function exitOnLostRuntimeApi(error: unknown): void {
  let pending = 2;
  const exit = () => --pending === 0 && process.exit(1);
  process.stdout.write('', exit);
  process.stderr.write(`Lambda Lab bootstrap: lost the Runtime API (${String(error)}); exiting.\n`, exit);
}
