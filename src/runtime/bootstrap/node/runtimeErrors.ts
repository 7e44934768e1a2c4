// Errors the Node runtime itself raises, named `Runtime.*` as Lambda names them, and the
// `{errorType, errorMessage, trace}` shape every error takes on its way to the Runtime API.
import { types } from 'node:util';
import type { ClientGeneration } from './runtimeClient';

/** The body of POST .../error and .../init/error. */
export interface RuntimeErrorResponse {
  errorType: string;
  errorMessage: string;
  trace: string[];
}

/** Whose error shapes the runtime's errors take: set once, before any is made. */
let generation: ClientGeneration = 'classic';
export const shapeRuntimeErrorsAs = (client: ClientGeneration) => (generation = client);

export class RuntimeError extends Error {
  constructor(type: string, message: string) {
    super(message);
    // 4.x names each error itself; the classic client names its classes, so the name is not
    // among the fields its error logs print.
    Object.defineProperty(this, 'name', {
      value: `Runtime.${type}`,
      enumerable: generation === 'ric4',
      writable: true,
      configurable: true,
    });
  }
}

/** Wraps the loader's original error; Lambda reports it as `String(original)` ("Error: Cannot find module 'x'..."). */
export const importModuleError = (original: unknown) => new RuntimeError('ImportModuleError', String(original));

export const handlerNotFound = (message: string) => new RuntimeError('HandlerNotFound', message);

export const malformedHandlerName = (message: string) => new RuntimeError('MalformedHandlerName', message);

export const malformedStreamingHandler = (message: string) => new RuntimeError('MalformedStreamingHandler', message);

export const invalidStreamingOperation = (message: string) => new RuntimeError('InvalidStreamingOperation', message);

/** aws-lambda-ric 4.x's name for an answer JSON.stringify refuses (the classic client throws a plain Error). */
export const jsonStringifyError = () => new RuntimeError('JSONStringifyError', 'Unable to stringify response body');

/** 4.x keeps the original stack (it points at the offending line); the classic client its own. */
export function userCodeSyntaxError(original: SyntaxError): Error {
  const error = new RuntimeError('UserCodeSyntaxError', String(original));
  if (generation === 'ric4') error.stack = original.stack;
  return error;
}

export class UnhandledPromiseRejection extends RuntimeError {
  constructor(
    readonly reason: unknown,
    readonly promise: Promise<unknown>,
  ) {
    super('UnhandledPromiseRejection', String(reason));
  }
}

/** An async handler whose promise never settled while the event loop ran dry. */
export const nodeJsExit = () =>
  new RuntimeError(
    'NodeJsExit',
    'The Lambda runtime client detected an unexpected Node.js exit code. This is most commonly caused by a Promise that was never settled. For more information, see https://nodejs.org/docs/latest/api/process.html#exit-codes',
  );

interface ErrorLike {
  name: string;
  message: string;
  stack: string;
}

function isErrorLike(value: unknown): value is ErrorLike {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<ErrorLike>;
  return !!v.name && !!v.message && !!v.stack && typeof v.name === 'string' && typeof v.message === 'string' && typeof v.stack === 'string';
}

/** What the managed runtime posts for any thrown/rejected/callback'ed value; a non-Error becomes `{errorType: typeof value}`. */
export function toRuntimeErrorResponse(error: unknown): RuntimeErrorResponse {
  try {
    if (types.isNativeError(error) || isErrorLike(error)) {
      const e = error as Error;
      return { errorType: e.name, errorMessage: e.message, trace: typeof e.stack === 'string' ? e.stack.split('\n') : [] };
    }
    return { errorType: typeof error, errorMessage: String(error), trace: [] };
  } catch {
    return {
      errorType: 'handled',
      errorMessage:
        'callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack',
      trace: [],
    };
  }
}

export function intoError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

/** Text-format rendering of an error as the runtime logs it: a tab, then JSON with the non-enumerable fields made visible. */
export function toFormatted(error: unknown): string {
  try {
    return '\t' + JSON.stringify(error, (_key, value: unknown) => withEnumerableProperties(value));
  } catch {
    return '\t' + JSON.stringify(toRuntimeErrorResponse(error));
  }
}

function withEnumerableProperties(value: unknown): unknown {
  if (!(value instanceof Error)) return value;
  const out: Record<string, unknown> = {
    errorType: value.name,
    errorMessage: value.message,
    code: (value as Error & { code?: unknown }).code,
    ...value,
  };
  if (typeof value.stack === 'string') out.stack = value.stack.split('\n');
  return out;
}
