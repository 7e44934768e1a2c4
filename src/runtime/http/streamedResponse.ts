// A streamed function response on its way to an HTTP client, chunk by chunk as the handler
// writes. With HttpResponseStream.from the stream opens with a JSON prelude (statusCode,
// headers, cookies) and 8 NUL bytes, under Lambda's http-integration-response content type;
// without it, the bytes are the body, typed by the stream's own content type.
import type { ServerResponse } from 'node:http';

export const PRELUDE_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';
const DELIMITER = Buffer.alloc(8);

export interface StreamHead {
  statusCode: number;
  headers: Array<[string, string]>;
}

/** Head from a prelude: statusCode (default 200), headers, cookies as Set-Cookie. */
export function headFromPrelude(text: string): StreamHead {
  let prelude: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) prelude = parsed as Record<string, unknown>;
  } catch {
    // A prelude that is not JSON leaves the defaults, as Lambda does.
  }
  const status = Number(prelude.statusCode);
  const headers: Array<[string, string]> = [];
  if (prelude.headers && typeof prelude.headers === 'object') {
    for (const [k, v] of Object.entries(prelude.headers as Record<string, unknown>))
      if (v !== undefined && v !== null) headers.push([k, String(v)]);
  }
  if (Array.isArray(prelude.cookies)) for (const c of prelude.cookies) headers.push(['Set-Cookie', String(c)]);
  return { statusCode: Number.isInteger(status) && status >= 100 && status <= 599 ? status : 200, headers };
}

/** Splits a whole (buffered) streamed payload into its head and body. */
export function splitStreamedPayload(payload: Buffer, contentType: string | undefined): { head: StreamHead; body: Buffer } {
  if (contentType !== PRELUDE_CONTENT_TYPE) {
    return { head: { statusCode: 200, headers: [['Content-Type', contentType ?? 'application/octet-stream']] }, body: payload };
  }
  const at = payload.indexOf(DELIMITER);
  if (at < 0) return { head: headFromPrelude(payload.toString('utf8')), body: Buffer.alloc(0) };
  return { head: headFromPrelude(payload.subarray(0, at).toString('utf8')), body: payload.subarray(at + DELIMITER.length) };
}

/**
 * Feeds chunks to `res` as they arrive. `decorate` adjusts the head (CORS, request id headers)
 * just before it is written. The head goes out with the first body bytes (or at end).
 */
export class StreamedResponse {
  private pending: Buffer[] = [];
  private preludeDone = false;
  private head: StreamHead | undefined;
  private contentType: string | undefined;

  constructor(
    private readonly res: ServerResponse,
    private readonly decorate: (head: StreamHead) => StreamHead,
  ) {}

  get started(): boolean {
    return this.res.headersSent;
  }

  push(chunk: Buffer, contentType: string | undefined): void {
    this.contentType ??= contentType;
    if (this.contentType !== PRELUDE_CONTENT_TYPE || this.preludeDone) {
      this.write(chunk);
      return;
    }
    this.pending.push(chunk);
    const all = Buffer.concat(this.pending);
    const at = all.indexOf(DELIMITER);
    if (at < 0) return;
    this.preludeDone = true;
    this.pending = [];
    this.head = headFromPrelude(all.subarray(0, at).toString('utf8'));
    const rest = all.subarray(at + DELIMITER.length);
    if (rest.length) this.write(rest);
  }

  private writeHead(): void {
    if (this.res.headersSent) return;
    const base = this.head ?? {
      statusCode: 200,
      headers: [['Content-Type', this.contentType ?? 'application/octet-stream']] as Array<[string, string]>,
    };
    if (!base.headers.some(([n]) => n.toLowerCase() === 'content-type')) base.headers.push(['Content-Type', 'application/octet-stream']);
    const head = this.decorate(base);
    const flat: string[] = [];
    for (const [n, v] of head.headers) if (!/^(content-length|transfer-encoding)$/i.test(n)) flat.push(n, v);
    this.res.writeHead(head.statusCode, flat);
    this.res.flushHeaders();
  }

  private write(chunk: Buffer): void {
    if (this.res.destroyed || this.res.writableEnded) return;
    this.writeHead();
    this.res.write(chunk);
  }

  /** The invoke finished: an unfinished prelude still yields its head. */
  end(failed: boolean): void {
    if (this.res.destroyed || this.res.writableEnded) return;
    if (failed) {
      // Before the first byte the front door still answers with its error; after it, the body is cut.
      if (this.res.headersSent) this.res.destroy();
      return;
    }
    if (!this.preludeDone && this.pending.length) this.head = headFromPrelude(Buffer.concat(this.pending).toString('utf8'));
    this.writeHead();
    this.res.end();
  }
}
