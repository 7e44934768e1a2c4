// The Runtime API 2018-06-01 client: one keep-alive connection to the endpoint in
// AWS_LAMBDA_RUNTIME_API, over which the bootstrap asks for work and reports results.
import http from 'node:http';
import { toRuntimeErrorResponse } from './runtimeErrors';

const API = '/2018-06-01/runtime';
export const ERROR_TYPE_HEADER = 'Lambda-Runtime-Function-Error-Type';

export interface Invocation {
  /** The event, still as JSON text. */
  body: string;
  /** Lower-cased, as node delivers them. */
  headers: http.IncomingHttpHeaders;
}

export class RuntimeApiClient {
  /** One socket, kept alive: a warm invoke costs one round trip for /next and one for the result. */
  readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  readonly hostname: string;
  readonly port: number;

  constructor(endpoint: string) {
    const match = /^(.*):(\d+)$/.exec(endpoint);
    if (!match) throw new Error(`AWS_LAMBDA_RUNTIME_API must be HOST:PORT, got '${endpoint}'`);
    this.hostname = match[1].replace(/^\[(.*)\]$/, '$1');
    this.port = Number(match[2]);
  }

  async nextInvocation(): Promise<Invocation> {
    const { status, body, headers } = await this.send('GET', `${API}/invocation/next`, {});
    if (status !== 200) throw new Error(`Runtime API GET /invocation/next answered ${status}: ${body}`);
    return { body, headers };
  }

  async postInvocationResponse(requestId: string, json: string): Promise<void> {
    await this.send('POST', `${API}/invocation/${encodeURIComponent(requestId)}/response`, {}, json);
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
      hostname: this.hostname,
      port: this.port,
      path: `${API}/invocation/${encodeURIComponent(requestId)}/response`,
      headers,
      agent: this.agent,
    };
  }

  private async postError(path: string, error: unknown): Promise<void> {
    const response = toRuntimeErrorResponse(error);
    await this.send('POST', path, { [ERROR_TYPE_HEADER]: response.errorType }, JSON.stringify(response));
  }

  private send(
    method: string,
    path: string,
    headers: http.OutgoingHttpHeaders,
    body?: string,
    retried = false,
  ): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
    return new Promise((resolve, reject) => {
      if (body !== undefined) {
        headers['Content-Type'] = 'application/json';
        headers['Content-Length'] = Buffer.byteLength(body);
      }
      const req = http.request({ method, hostname: this.hostname, port: this.port, path, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
        res.on('error', reject);
      });
      req.on('error', (error: NodeJS.ErrnoException) => {
        // The server may close an idle kept-alive socket just as we reuse it; the request never
        // reached it, so sending it once more on a fresh connection is safe.
        if (req.reusedSocket && error.code === 'ECONNRESET' && !retried) {
          this.send(method, path, headers, body, true).then(resolve, reject);
        } else {
          reject(error);
        }
      });
      req.end(body);
    });
  }
}

/** The Runtime API is this process's only reason to live: if it is gone, so is the environment. */
export function exitOnLostRuntimeApi(error: unknown): never {
  process.stderr.write(`Lambda Lab bootstrap: lost the Runtime API (${String(error)}); exiting.\n`);
  process.exit(1);
}
