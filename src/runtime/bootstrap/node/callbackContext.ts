// The answering side of a (non-streaming) invocation: the handler's `callback`, the legacy
// `context.done/succeed/fail`, and `context.callbackWaitsForEmptyEventLoop`. Only the first
// answer counts. With callbackWaitsForEmptyEventLoop (the default) a callback's result is
// posted once the event loop has drained; async handlers' results are posted at once.
import { beforeExitListener } from './beforeExitListener';
import { logError } from './logPatch';
import type { RuntimeApiClient } from './runtimeApiClient';

export type HandlerCallback = (error?: unknown, result?: unknown) => void;

export interface CallbackContext {
  callbackWaitsForEmptyEventLoop: boolean;
  done(error?: unknown, result?: unknown): void;
  succeed(result?: unknown): void;
  fail(error?: unknown): void;
}

export interface InvocationAnswer {
  callback: HandlerCallback;
  context: CallbackContext;
  /** Suppresses any later answer (used when the runtime answered on the handler's behalf). */
  markCompleted(): void;
}

/** Then-step for every Runtime API call: continue the loop, or stop if the API is gone. */
export type AfterPost = (posted: Promise<void>) => void;

/** An answer as JSON (`undefined` as null); what JSON.stringify refuses raises `refused()` (the classic client's plain Error by default). */
export function serializeResponse(result: unknown, refused = () => new Error('Unable to stringify response body')): string {
  try {
    return JSON.stringify(result === undefined ? null : result);
  } catch {
    throw refused();
  }
}

export function buildCallbackContext(client: RuntimeApiClient, requestId: string, after: AfterPost): InvocationAnswer {
  let completed = false;
  let waitForEmptyEventLoop = true;

  const postError = (error: unknown) => {
    logError('Invoke Error', error);
    after(client.postInvocationError(requestId, error));
  };
  const complete = (result: unknown) => {
    if (completed) {
      console.error('Invocation has already been reported as done. Cannot call complete more than once per invocation.');
      return;
    }
    completed = true;
    after(client.postInvocationResponse(requestId, serializeResponse(result)));
  };

  const callback: HandlerCallback = (error, result) => {
    beforeExitListener.reset();
    if (error !== undefined && error !== null) postError(error);
    else if (!waitForEmptyEventLoop) complete(result);
    else beforeExitListener.set(() => setImmediate(() => complete(result)));
  };
  const done = (error?: unknown, result?: unknown) => {
    beforeExitListener.reset();
    if (error !== undefined && error !== null) postError(error);
    else complete(result);
  };

  // Only the first answer counts. A call that throws (e.g. an unserialisable result) does not
  // count as an answer, so the error it raises can still be reported.
  let answered = false;
  const firstOnly =
    <A extends unknown[]>(fn: (...args: A) => void) =>
    (...args: A) => {
      if (answered) return;
      fn(...args);
      answered = true;
    };

  const context: CallbackContext = {
    get callbackWaitsForEmptyEventLoop() {
      return waitForEmptyEventLoop;
    },
    set callbackWaitsForEmptyEventLoop(value: boolean) {
      waitForEmptyEventLoop = value;
    },
    succeed: firstOnly((result?: unknown) => done(null, result)),
    fail: firstOnly((error?: unknown) => done(error === undefined || error === null ? 'handled' : error, null)),
    done: firstOnly(done),
  };
  return { callback: firstOnly(callback), context, markCompleted: () => (completed = true) };
}
