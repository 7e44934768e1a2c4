// The `responseStream` a streamified handler writes to: a chunked POST .../response with
// `Lambda-Runtime-Function-Response-Mode: streaming`. Errors after the first byte travel as
// the trailers Lambda-Runtime-Function-Error-Type / -Body (base64 JSON). Handlers see only
// the writable side of the request, as in the managed runtime.
import { ERROR_TYPE_HEADER, nodeHttp, type RuntimeApiClient } from './runtimeApiClient';
import { invalidStreamingOperation, toRuntimeErrorResponse } from './runtimeErrors';

const ERROR_BODY_TRAILER = 'Lambda-Runtime-Function-Error-Body';
type Chunk = string | Uint8Array;
type WriteFn = (chunk: Chunk) => void;

/** What handlers get. `_onBeforeFirstWrite` is the hook HttpResponseStream.from uses for its prelude. */
export interface ResponseStream extends NodeJS.WritableStream {
  setContentType(contentType: string): void;
  _onBeforeFirstWrite?: (write: WriteFn) => void;
  readonly writableFinished: boolean;
  readonly writableEnded: boolean;
}

export interface StreamedResponse {
  stream: ResponseStream;
  /** Settles when the Runtime API has answered the POST. */
  posted: Promise<void>;
  /** Ends the stream with the error in trailers. */
  fail(error: unknown): Promise<void>;
}

const METHODS = [
  'cork',
  'uncork',
  'destroy',
  'addListener',
  'emit',
  'eventNames',
  'getMaxListeners',
  'listenerCount',
  'listeners',
  'off',
  'on',
  'once',
  'prependListener',
  'prependOnceListener',
  'rawListeners',
  'removeAllListeners',
  'removeListener',
  'setMaxListeners',
] as const;
const READ_ONLY = [
  'writable',
  'destroyed',
  'writableFinished',
  'writableObjectMode',
  'writableEnded',
  'writableNeedDrain',
  'writableHighWaterMark',
  'writableCorked',
  'writableLength',
] as const;

export function createResponseStream(client: RuntimeApiClient, requestId: string): StreamedResponse {
  const req = nodeHttp().request(
    client.streamingRequestOptions(requestId, {
      'Lambda-Runtime-Function-Response-Mode': 'streaming',
      'Transfer-Encoding': 'chunked',
      Trailer: `${ERROR_TYPE_HEADER}, ${ERROR_BODY_TRAILER}`,
      'Content-Type': 'application/octet-stream',
    }),
  );
  const posted = new Promise<void>((resolve, reject) => {
    req.on('response', (res) => {
      res.resume();
      res.on('end', resolve);
      res.on('error', reject);
    });
    req.on('error', reject);
  });
  // A failure is reported through `posted`; keep it from also surfacing as an unhandled rejection.
  posted.catch(() => {});

  let started = false;
  let beforeFirstWrite: ((write: WriteFn) => void) | undefined;
  const rawWrite: WriteFn = (chunk) => void req.write(chunk);
  const start = () => {
    if (started) return;
    started = true;
    beforeFirstWrite?.(rawWrite);
  };

  const stream = {} as Record<string, unknown>;
  for (const name of METHODS) {
    const fn = req[name] as (...args: unknown[]) => unknown;
    stream[name] = (...args: unknown[]) => fn.apply(req, args);
  }
  for (const name of READ_ONLY) Object.defineProperty(stream, name, { get: () => req[name] });
  Object.defineProperty(stream, '_onBeforeFirstWrite', { get: () => beforeFirstWrite, set: (fn) => (beforeFirstWrite = fn) });

  stream.write = (chunk: unknown, ...rest: unknown[]) => {
    start();
    const data = typeof chunk === 'string' || chunk instanceof Uint8Array ? chunk : JSON.stringify(chunk);
    return (req.write as (...args: unknown[]) => boolean)(data, ...rest);
  };
  stream.end = (...args: unknown[]) => {
    const [chunk] = args;
    if (chunk !== undefined && chunk !== null && typeof chunk !== 'function') {
      (stream.write as (c: unknown) => boolean)(chunk);
      args.shift();
      if (typeof args[0] === 'string') args.shift(); // encoding, already applied by write
    }
    start();
    (req.end as (...a: unknown[]) => void)(...args);
    return stream;
  };
  stream.setContentType = (contentType: string) => {
    if (started) throw invalidStreamingOperation('Cannot set content-type, too late.');
    req.setHeader('Content-Type', contentType);
  };

  const fail = async (error: unknown) => {
    if (!req.writableEnded) {
      const response = toRuntimeErrorResponse(error);
      req.addTrailers({
        [ERROR_TYPE_HEADER]: response.errorType,
        [ERROR_BODY_TRAILER]: Buffer.from(JSON.stringify(response)).toString('base64'),
      });
      req.end();
    }
    await posted;
  };
  return { stream: stream as unknown as ResponseStream, posted, fail };
}
