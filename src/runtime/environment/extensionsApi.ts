// One environment's Lambda Extensions API (2020-01-01), served on the Runtime API's endpoint as
// in Lambda: extensions register for INVOKE/SHUTDOWN, park in `event/next`, and report
// `init/error` / `exit/error`. An extension is "busy" from its registration (or from the event
// it was handed) until its next `event/next`: the environment's init and each invocation end
// only once none is busy. It knows nothing about processes; environmentExtensions drives it.
// Refusals are 403s with the error types of AWS's runtime interface emulator (rapid).
import * as crypto from 'node:crypto';
import type * as http from 'node:http';

const PREFIX = '/2020-01-01/extension';

export type ExtensionEventType = 'INVOKE' | 'SHUTDOWN';

export interface InvokeEventBody {
  eventType: 'INVOKE';
  deadlineMs: number;
  requestId: string;
  invokedFunctionArn: string;
  tracing: { type: 'X-Amzn-Trace-Id'; value: string };
}

export interface ShutdownEventBody {
  eventType: 'SHUTDOWN';
  shutdownReason: 'spindown' | 'timeout' | 'failure';
  deadlineMs: number;
}

type EventBody = InvokeEventBody | ShutdownEventBody;

export interface RegisteredExtension {
  readonly id: string;
  readonly name: string;
  readonly events: readonly ExtensionEventType[];
}

interface Extension extends RegisteredExtension {
  busy: boolean;
  parked: http.ServerResponse | undefined;
  pending: EventBody | undefined;
}

export interface ExtensionsApiHandlers {
  /** What `register` answers with (Lambda's function description). */
  registration(): { functionName: string; functionVersion: string; handler: string };
  /** Registration is open only during the init phase. */
  canRegister(): boolean;
  onRegistered(ext: RegisteredExtension): void;
  /** An extension finished its work on the last event (or its init) and parked in `next`. */
  onReady(): void;
  onInitError(ext: RegisteredExtension, errorType: string, body: Buffer): void;
  onExitError(ext: RegisteredExtension, errorType: string, body: Buffer): void;
}

export class ExtensionsApi {
  private readonly byId = new Map<string, Extension>();
  private busyCount = 0;

  constructor(private readonly handlers: ExtensionsApiHandlers) {}

  get registered(): RegisteredExtension[] {
    return [...this.byId.values()];
  }

  /** Whether every registered extension is parked in `next` with nothing to do. */
  get allReady(): boolean {
    return this.busyCount === 0;
  }

  nameOf(id: string | string[] | undefined): string | undefined {
    return typeof id === 'string' ? this.byId.get(id)?.name : undefined;
  }

  /** Whether any extension subscribed to `type` (INVOKE costs the warm path nothing without one). */
  subscribed(type: ExtensionEventType): boolean {
    for (const ext of this.byId.values()) if (ext.events.includes(type)) return true;
    return false;
  }

  /** Hands the event to every extension registered for it; each is busy until its next `next`. */
  dispatch(body: EventBody): void {
    for (const ext of this.byId.values()) {
      if (!ext.events.includes(body.eventType)) continue;
      if (!ext.busy) {
        ext.busy = true;
        this.busyCount++;
      }
      if (ext.parked) {
        const res = ext.parked;
        ext.parked = undefined;
        send(res, body);
      } else {
        ext.pending = body;
      }
    }
  }

  /** Ends every parked `next` (the environment is gone). */
  close(): void {
    for (const ext of this.byId.values()) ext.parked?.destroy();
  }

  /** Serves an Extensions API request; false when the URL is not one. */
  route(req: http.IncomingMessage, res: http.ServerResponse): boolean {
    const url = req.url ?? '';
    if (!url.startsWith(PREFIX)) return false;
    const path = url.slice(PREFIX.length);
    if (req.method === 'POST' && path === '/register') {
      readBody(req, (body) => this.register(req, res, body));
      return true;
    }
    const ext = this.byId.get(String(req.headers['lambda-extension-identifier'] ?? ''));
    if (!ext) {
      req.resume();
      reply(res, 403, { errorMessage: 'Unknown Lambda-Extension-Identifier', errorType: 'Extension.UnknownExtensionIdentifier' });
      return true;
    }
    if (req.method === 'GET' && path === '/event/next') {
      req.resume();
      this.next(ext, res);
    } else if (req.method === 'POST' && (path === '/init/error' || path === '/exit/error')) {
      const errorType = req.headers['lambda-extension-function-error-type'];
      readBody(req, (body) => {
        if (typeof errorType !== 'string' || !errorType) {
          return reply(res, 403, { errorMessage: 'Lambda-Extension-Function-Error-Type not found', errorType: 'Extension.MissingHeader' });
        }
        reply(res, 202, { status: 'OK' });
        if (path === '/init/error') this.handlers.onInitError(ext, errorType, body);
        else this.handlers.onExitError(ext, errorType, body);
      });
    } else {
      req.resume();
      reply(res, 404, { errorMessage: `No such Extensions API route: ${req.method} ${url}`, errorType: 'NotFound' });
    }
    return true;
  }

  private register(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer) {
    const name = req.headers['lambda-extension-name'];
    if (typeof name !== 'string' || !name) {
      return reply(res, 403, { errorMessage: 'Empty extension name', errorType: 'Extension.InvalidExtensionName' });
    }
    if (!this.handlers.canRegister()) {
      return reply(res, 403, { errorMessage: 'Extension registration closed already', errorType: 'Extension.RegistrationClosed' });
    }
    let events: unknown;
    try {
      events = JSON.parse(body.toString() || '{}').events ?? [];
    } catch {
      return reply(res, 403, {
        errorMessage: 'The register body is not JSON ({"events": ["INVOKE", "SHUTDOWN"]})',
        errorType: 'InvalidRequestFormat',
      });
    }
    if (!Array.isArray(events) || events.some((e) => e !== 'INVOKE' && e !== 'SHUTDOWN')) {
      return reply(res, 403, {
        errorMessage: `Invalid events ${JSON.stringify(events)}: only INVOKE and SHUTDOWN`,
        errorType: 'Extension.InvalidEventType',
      });
    }
    if ([...this.byId.values()].some((e) => e.name === name)) {
      return reply(res, 403, { errorMessage: 'Extension with this name already registered', errorType: 'Extension.InvalidExtensionState' });
    }
    // Busy from registration until its first `next`: that `next` is how it says its init is done.
    const ext: Extension = {
      id: crypto.randomUUID(),
      name,
      events: events as ExtensionEventType[],
      busy: true,
      parked: undefined,
      pending: undefined,
    };
    this.busyCount++;
    this.byId.set(ext.id, ext);
    const text = JSON.stringify(this.handlers.registration());
    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Lambda-Extension-Identifier': ext.id,
      'Content-Length': Buffer.byteLength(text),
    });
    res.end(text);
    this.handlers.onRegistered(ext);
  }

  private next(ext: Extension, res: http.ServerResponse) {
    if (ext.parked) {
      return reply(res, 403, {
        errorMessage: 'Another event/next request is already waiting',
        errorType: 'Extension.InvalidExtensionState',
      });
    }
    const pending = ext.pending;
    ext.pending = undefined;
    if (pending) return send(res, pending);
    ext.parked = res;
    res.on('close', () => {
      if (ext.parked === res) ext.parked = undefined;
    });
    if (ext.busy) {
      ext.busy = false;
      this.busyCount--;
      this.handlers.onReady();
    }
  }
}

function send(res: http.ServerResponse, body: EventBody) {
  const text = JSON.stringify(body);
  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Lambda-Extension-Event-Identifier': crypto.randomUUID(),
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

function readBody(req: http.IncomingMessage, done: (body: Buffer) => void) {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => done(Buffer.concat(chunks)));
  req.on('error', () => done(Buffer.alloc(0)));
}

function reply(res: http.ServerResponse, status: number, body: object) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
