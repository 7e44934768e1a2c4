// Errors the Lambda service itself returns (as opposed to function errors, which are
// payloads). Named and coded as the Lambda API names them, so api/ can serialise them as-is.

export class LambdaServiceError extends Error {
  constructor(
    /** AWS error type, e.g. `TooManyRequestsException`. */
    readonly type: string,
    message: string,
    readonly statusCode: number,
  ) {
    super(message);
    this.name = type;
  }
}

export const tooManyRequests = (fn: string, reason = 'ReservedFunctionConcurrentInvocationLimitExceeded') =>
  Object.assign(new LambdaServiceError('TooManyRequestsException', `Rate Exceeded. Function ${fn} is at its concurrency limit.`, 429), { reason });

export const resourceNotFound = (what: string) =>
  new LambdaServiceError('ResourceNotFoundException', `Function not found: ${what}`, 404);

export const requestTooLarge = (size: number, limit: number) =>
  new LambdaServiceError(
    'RequestTooLargeException',
    `Request must be smaller than ${limit} bytes for the InvokeFunction operation (got ${size}).`,
    413,
  );

export const invalidRequestContent = (message: string) =>
  new LambdaServiceError('InvalidRequestContentException', message, 400);

/** The function could not run here at all (unsupported runtime, missing code...). */
export const functionNotRunnable = (fn: string, reason: string) =>
  new LambdaServiceError('ResourceConflictException', `Function ${fn} cannot run locally: ${reason}`, 409);
