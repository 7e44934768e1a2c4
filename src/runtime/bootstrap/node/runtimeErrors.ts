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

/** 4.x's class names where they are not the type's (JSON logs show the class as errorType). */
const RIC4_CLASS_NAMES: Record<string, string> = {
  HandlerNotFound: 'HandlerNotFoundError',
  MalformedHandlerName: 'MalformedHandlerNameError',
  CallbackHandlerDeprecated: 'CallbackHandlerDeprecatedError',
};

const errorClasses = new Map<string, new (message: string) => Error>();

/**
 * A `Runtime.<type>` error as the client of this runtime makes it: a class of its own per type
 * (named as the client names it), the name on each error (4.x) or on the class (the classic
 * client, so its error logs do not list the name among the fields).
 */
export function runtimeError(type: string, message: string): Error {
  const key = `${generation}:${type}`;
  let ErrorClass = errorClasses.get(key);
  if (!ErrorClass) {
    const name = `Runtime.${type}`;
    const named = generation === 'ric4';
    ErrorClass = class extends Error {
      constructor(text: string) {
        super(text);
        if (named) this.name = name;
      }
    };
    Object.defineProperty(ErrorClass, 'name', { value: named ? (RIC4_CLASS_NAMES[type] ?? type) : type });
    if (!named) ErrorClass.prototype.name = name;
    errorClasses.set(key, ErrorClass);
  }
  return new ErrorClass(message);
}

/** Wraps the loader's original error; Lambda reports it as `String(original)` ("Error: Cannot find module 'x'..."). */
export const importModuleError = (original: unknown) => runtimeError('ImportModuleError', String(original));

export const handlerNotFound = (message: string) => runtimeError('HandlerNotFound', message);

export const malformedHandlerName = (message: string) => runtimeError('MalformedHandlerName', message);

export const malformedStreamingHandler = (message: string) => runtimeError('MalformedStreamingHandler', message);

export const invalidStreamingOperation = (message: string) => runtimeError('InvalidStreamingOperation', message);

/** aws-lambda-ric 4.x's name for an answer JSON.stringify refuses (the classic client throws a plain Error). */
export const jsonStringifyError = () => runtimeError('JSONStringifyError', 'Unable to stringify response body');

/** 4.x keeps the original stack (it points at the offending line); the classic client its own. */
export function userCodeSyntaxError(original: SyntaxError): Error {
  const error = runtimeError('UserCodeSyntaxError', String(original));
  if (generation === 'ric4') error.stack = original.stack;
  return error;
}

/** The classic client's (4.x installs no listener); its reason and promise are among its fields. */
export class UnhandledPromiseRejection extends Error {
  constructor(
    readonly reason: unknown,
    readonly promise: Promise<unknown>,
  ) {
    super(String(reason));
  }
}
UnhandledPromiseRejection.prototype.name = 'Runtime.UnhandledPromiseRejection';

/** An async handler whose promise never settled while the event loop ran dry. */
export const nodeJsExit = () =>
  runtimeError(
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
