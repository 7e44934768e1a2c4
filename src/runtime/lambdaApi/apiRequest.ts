// One request to the Lambda API: path parameters, query, body and the JSON/empty answers.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { invalidRequestContent, requestTooLarge } from '../errors/serviceErrors';

export class ApiRequest {
  private parsedQuery: URLSearchParams | undefined;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly params: Record<string, string>,
    /** The URL's query string, without the `?`; parsed on first use (most invokes carry none). */
    private readonly rawQuery: string,
    readonly requestId: string,
  ) {}

  get query(): URLSearchParams {
    return (this.parsedQuery ??= new URLSearchParams(this.rawQuery));
  }

  header(name: string): string | undefined {
    const value = this.req.headers[name];
    return Array.isArray(value) ? value[0] : value;
  }

  /**
   * The body, refused with 413 beyond `limit` bytes (before reading it when Content-Length says
   * so); `invocationType` words the refusal as Lambda does for that kind of invoke.
   */
  body(limit: number, invocationType?: 'Event'): Promise<Buffer> {
    const declared = Number(this.req.headers['content-length']);
    if (declared > limit) {
      this.req.resume();
      return Promise.reject(requestTooLarge(declared, limit, invocationType));
    }
    // Plain events rather than async iteration: this is on every invoke's path.
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let refused = false;
      this.req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > limit && !refused) {
          refused = true;
          reject(requestTooLarge(size, limit, invocationType));
        }
        if (!refused) chunks.push(chunk);
      });
      this.req.on('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
      this.req.on('error', reject);
    });
  }

  /** A JSON request body (management operations); `{}` when empty. */
  async json(): Promise<Record<string, unknown>> {
    const body = await this.body(1024 * 1024);
    if (body.length === 0) return {};
    try {
      const value: unknown = JSON.parse(body.toString('utf8'));
      if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
    } catch {
      // answered below
    }
    throw invalidRequestContent('Could not parse request body into json: the body must be a JSON object.');
  }

  send(status: number, json?: unknown, headers: Record<string, string> = {}): void {
    if (json === undefined) {
      this.res.writeHead(status, { 'x-amzn-RequestId': this.requestId, 'Content-Length': 0, ...headers });
      this.res.end();
      return;
    }
    const text = JSON.stringify(json);
    this.res.writeHead(status, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(text),
      'x-amzn-RequestId': this.requestId,
      ...headers,
    });
    this.res.end(text);
  }

  /** Where this server is reachable, as the client addressed it (for Code.Location URLs). */
  baseUrl(): string {
    return `http://${this.req.headers.host ?? 'localhost'}`;
  }
}
