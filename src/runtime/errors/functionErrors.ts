// The error bodies Lambda itself writes into an invocation's response when the function did
// not answer (timeout, crash, init failure, oversized answer): `{errorType, errorMessage}`,
// returned with `X-Amz-Function-Error: Unhandled`. Errors the handler throws are its own
// payloads and never pass through here; service errors (throttles, bad requests) are
// exceptions, in serviceErrors.
export interface FunctionErrorBody {
  errorType: string;
  /** The JSON body exactly as the caller receives it. */
  payload: Buffer;
}

function body(errorType: string, errorMessage: string): FunctionErrorBody {
  return { errorType, payload: Buffer.from(JSON.stringify({ errorType, errorMessage })) };
}

/** The invocation outlived the function's Timeout. */
export const invokeTimedOut = (requestId: string, timeoutSeconds: number) =>
  body('Sandbox.Timedout', `RequestId: ${requestId} Error: Task timed out after ${timeoutSeconds.toFixed(2)} seconds`);

/** Init ran past Lambda's INIT phase limit. */
export const initTimedOut = (limitMs: number) =>
  body('Sandbox.Timedout', `INIT phase timed out after ${(limitMs / 1000).toFixed(2)} seconds`);

/**
 * The runtime process ended. `description` is Go's wording for the exit, as Lambda prints
 * it (`exit status 1`, `signal: killed`); during an invocation the message names the request.
 */
export const runtimeExited = (description: string, opts: { requestId?: string; outOfMemory?: boolean } = {}) =>
  body(
    opts.outOfMemory ? 'Runtime.OutOfMemory' : 'Runtime.ExitError',
    `${opts.requestId ? `RequestId: ${opts.requestId} Error: ` : ''}Runtime exited with error: ${description}`,
  );

/** No executable to start (a provided runtime without `bootstrap`). */
export const invalidEntrypoint = (candidates: string[]) =>
  body('Runtime.InvalidEntrypoint', `Couldn't find valid bootstrap(s): [${candidates.join(' ')}]`);

/** The function's answer was over the payload limit. */
export const responseTooLarge = (limit: number) =>
  body('Function.ResponseSizeTooLarge', `Response payload size exceeded maximum allowed payload size (${limit} bytes).`);
