// One environment's Telemetry API (2022-07-01) and its predecessor the Logs API (2020-08-15),
// served on the Runtime API's endpoint as in Lambda. An extension subscribes an HTTP
// destination to event types (platform, function, extension); events are buffered per
// subscription (maxItems, maxBytes, timeoutMs) and POSTed as a JSON array, one batch in flight
// at a time so batches arrive in order. Lambda keeps what happened during init for subscribers
// that join before init ends; so does this. `sandbox.localdomain` is the loopback, as it is
// for extensions in Lambda.
import * as http from 'node:http';

const TELEMETRY_PATH = '/2022-07-01/telemetry';
const LOGS_PATH = '/2020-08-15/logs';

export type TelemetryType = 'platform' | 'function' | 'extension';
export interface TelemetryEvent {
  time: string;
  type: string;
  record: unknown;
}

/** Lambda's defaults and bounds for `buffering`. */
/** A subscriber that takes this long to answer a batch (while not frozen) loses it. */
const POST_TIMEOUT_MS = 5_000;
const DEFAULTS = { maxItems: 1000, maxBytes: 256 * 1024, timeoutMs: 1000 };
const BOUNDS = { maxItems: [1000, 10_000], maxBytes: [256 * 1024, 1024 * 1024], timeoutMs: [25, 30_000] } as const;
/** Init events kept for subscribers that have not joined yet. */
const INIT_BACKLOG_LIMIT = 1000;

interface Subscription {
  extension: string;
  api: 'telemetry' | 'logs';
  types: Set<TelemetryType>;
  url: URL;
  maxItems: number;
  maxBytes: number;
  timeoutMs: number;
  buffer: TelemetryEvent[];
  bytes: number;
  timer: NodeJS.Timeout | undefined;
  /** The batches on their way, one after the other: each flush chains on it. */
  delivery: Promise<void>;
}

export interface TelemetryApiHandlers {
  /** The registered extension with this identifier, if any. */
  extensionName(id: string | string[] | undefined): string | undefined;
  /** Subscriptions are accepted during init only, as in Lambda. */
  initializing(): boolean;
}

export class TelemetryApi {
  private readonly subscriptions: Subscription[] = [];
  private readonly backlog: Array<{ type: TelemetryType; event: TelemetryEvent }> = [];
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  /** While the environment is frozen, its subscribers are too: batches wait for the thaw, as in Lambda. */
  private thawed: Promise<void> | undefined;
  private resumeDelivery: (() => void) | undefined;
  private closed = false;

  constructor(private readonly handlers: TelemetryApiHandlers) {}

  /** Who subscribed to what, in subscription order. */
  get subscribed(): Array<{ extension: string; api: 'telemetry' | 'logs'; types: TelemetryType[] }> {
    return this.subscriptions.map((s) => ({ extension: s.extension, api: s.api, types: [...s.types] }));
  }

  /** Whether anyone listens: callers skip building records when no one does. */
  get active(): boolean {
    return this.subscriptions.length > 0 || this.handlers.initializing();
  }

  emit(type: TelemetryType, eventType: string, record: unknown, time = new Date()): void {
    if (this.closed) return;
    const event: TelemetryEvent = { time: time.toISOString(), type: eventType, record };
    if (this.handlers.initializing() && this.backlog.length < INIT_BACKLOG_LIMIT) this.backlog.push({ type, event });
    for (const sub of this.subscriptions) if (sub.types.has(type)) this.enqueue(sub, event);
  }

  /** Sends what is buffered now (the environment is shutting down), then stops. */
  /** The environment froze: nothing is sent until resume(). */
  pause(): void {
    this.thawed ??= new Promise((resolve) => (this.resumeDelivery = resolve));
  }

  resume(): void {
    this.resumeDelivery?.();
    this.thawed = this.resumeDelivery = undefined;
  }

  /** Whether delivery is paused (a batch in flight while its subscriber is frozen does not time out). */
  get paused(): boolean {
    return this.thawed !== undefined;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.resume();
    await Promise.all(this.subscriptions.map((sub) => this.flush(sub)));
    this.agent.destroy();
  }

  route(req: http.IncomingMessage, res: http.ServerResponse): boolean {
    const url = (req.url ?? '').replace(/\/$/, '');
    const api = url === TELEMETRY_PATH ? 'telemetry' : url === LOGS_PATH ? 'logs' : undefined;
    if (!api) return false;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => this.subscribe(api, req, res, Buffer.concat(chunks)));
    return true;
  }

  private subscribe(api: 'telemetry' | 'logs', req: http.IncomingMessage, res: http.ServerResponse, body: Buffer) {
    if (req.method !== 'PUT') return reply(res, 405, { errorMessage: `Use PUT ${req.url}`, errorType: 'MethodNotAllowed' });
    const extension = this.handlers.extensionName(req.headers['lambda-extension-identifier']);
    if (!extension) {
      return reply(res, 403, { errorMessage: 'Unknown Lambda-Extension-Identifier', errorType: 'Extension.UnknownExtensionIdentifier' });
    }
    let parsed: {
      destination?: { protocol?: string; URI?: string };
      types?: unknown;
      buffering?: Record<string, unknown>;
      schemaVersion?: string;
    };
    try {
      parsed = JSON.parse(body.toString());
    } catch {
      return reply(res, 400, { errorMessage: 'The subscription body is not JSON', errorType: 'ValidationError' });
    }
    const invalid = (message: string) => reply(res, 400, { errorMessage: message, errorType: 'ValidationError' });
    const types = parsed.types;
    if (!Array.isArray(types) || !types.length || types.some((t) => t !== 'platform' && t !== 'function' && t !== 'extension')) {
      return invalid(`types must be a non-empty list of "platform", "function", "extension" (got ${JSON.stringify(types)})`);
    }
    if (parsed.destination?.protocol !== 'HTTP') {
      return invalid(`destination.protocol ${JSON.stringify(parsed.destination?.protocol)} is not supported locally: use "HTTP"`);
    }
    let url: URL;
    try {
      url = new URL(parsed.destination.URI ?? '');
    } catch {
      return invalid(`destination.URI ${JSON.stringify(parsed.destination.URI)} is not a URL (http://sandbox.localdomain:PORT/PATH)`);
    }
    if (url.hostname === 'sandbox.localdomain' || url.hostname === 'sandbox') url.hostname = '127.0.0.1';
    if (!['127.0.0.1', 'localhost'].includes(url.hostname) || url.protocol !== 'http:') {
      return invalid(`destination.URI ${url.href} must be http://sandbox.localdomain:PORT/PATH (Lambda delivers inside the sandbox only)`);
    }
    const buffering = { ...DEFAULTS };
    for (const key of Object.keys(BOUNDS) as Array<keyof typeof BOUNDS>) {
      const value = parsed.buffering?.[key];
      if (value === undefined) continue;
      const [min, max] = BOUNDS[key];
      if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
        return invalid(`buffering.${key} must be an integer from ${min} to ${max} (got ${JSON.stringify(value)})`);
      }
      buffering[key] = value;
    }
    if (this.subscriptions.some((s) => s.extension === extension && s.api !== api)) {
      return reply(res, 400, {
        errorMessage: `Extension ${extension} already subscribed with the ${api === 'logs' ? 'Telemetry' : 'Logs'} API: use one of them`,
        errorType: 'ValidationError',
      });
    }
    if (!this.handlers.initializing()) {
      return reply(res, 403, {
        errorMessage: 'Subscriptions are accepted during the init phase only',
        errorType: 'Extension.SubscriptionClosed',
      });
    }
    // Subscribing again replaces the extension's subscription to the same API (idempotent).
    const index = this.subscriptions.findIndex((s) => s.extension === extension);
    if (index >= 0) this.subscriptions.splice(index, 1);
    const sub: Subscription = {
      extension,
      api,
      types: new Set(types),
      url,
      ...buffering,
      buffer: [],
      bytes: 0,
      timer: undefined,
      delivery: Promise.resolve(),
    };
    this.subscriptions.push(sub);
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': 2 });
    res.end('OK');
    for (const { type, event } of this.backlog) if (sub.types.has(type)) this.enqueue(sub, event);
    const kind = api === 'telemetry' ? 'platform.telemetrySubscription' : 'platform.logsSubscription';
    this.emit('platform', kind, { name: extension, state: 'Subscribed', types });
  }

  private enqueue(sub: Subscription, event: TelemetryEvent) {
    sub.buffer.push(event);
    sub.bytes += JSON.stringify(event).length;
    if (sub.buffer.length >= sub.maxItems || sub.bytes >= sub.maxBytes) void this.flush(sub);
    else if (!sub.timer) sub.timer = setTimeout(() => void this.flush(sub), sub.timeoutMs).unref();
  }

  /** Sends what is buffered once the batches before it are delivered; resolves when it is. */
  private flush(sub: Subscription): Promise<void> {
    clearTimeout(sub.timer);
    sub.timer = undefined;
    sub.delivery = sub.delivery
      .then(() => this.thawed)
      .then(() => {
        if (!sub.buffer.length) return;
        const batch = sub.buffer.splice(0);
        sub.bytes = 0;
        return post(sub.url, JSON.stringify(batch), this.agent, () => this.paused);
      });
    return sub.delivery;
  }
}

/** One delivery attempt; a subscriber that is gone or failing loses the batch, as in Lambda. */
function post(url: URL, body: string, agent: http.Agent, paused: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
        timeout: POST_TIMEOUT_MS,
      },
      (res) => {
        res.resume();
        res.on('end', resolve);
        res.on('error', () => resolve());
      },
    );
    req.on('error', () => resolve());
    req.on('timeout', () => (paused() ? req.setTimeout(POST_TIMEOUT_MS) : req.destroy()));
    req.end(body);
  });
}

function reply(res: http.ServerResponse, status: number, body: object) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
