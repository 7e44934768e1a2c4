// Errors the Lambda service itself answers with (as opposed to function errors, which are
// payloads): every one the runtime, the stores and the local Lambda API raise, named, coded and
// worded as Lambda's API does, so api/ can put them on the wire as they are.

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
  Object.assign(new LambdaServiceError('TooManyRequestsException', `Rate Exceeded. Function ${fn} is at its concurrency limit.`, 429), {
    reason,
  });

/** Any missing resource: `message` says what (Lambda words it per resource kind). */
export const resourceNotFound = (message: string) => new LambdaServiceError('ResourceNotFoundException', message, 404);

/** A function, version or alias that does not exist; `what` is its (qualified) ARN or name. */
export const functionNotFound = (what: string) => resourceNotFound(`Function not found: ${what}`);

export const aliasNotFound = (aliasArn: string) => resourceNotFound(`Alias not found: ${aliasArn}`);

export const layerVersionNotFound = (layerVersionArn: string) => resourceNotFound(`Layer version ${layerVersionArn} does not exist.`);

export const invalidParameter = (message: string) => new LambdaServiceError('InvalidParameterValueException', message, 400);

export const conflict = (message: string) => new LambdaServiceError('ResourceConflictException', message, 409);

export const preconditionFailed = () =>
  new LambdaServiceError(
    'PreconditionFailedException',
    'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id',
    412,
  );

export const requestTooLarge = (size: number, limit: number, invocationType?: 'Event') =>
  new LambdaServiceError(
    'RequestTooLargeException',
    invocationType === 'Event'
      ? `${size} byte payload is too large for the Event invocation type (limit ${limit} bytes)`
      : `Request must be smaller than ${limit} bytes for the InvokeFunction operation (got ${size}).`,
    413,
  );

export const invalidRequestContent = (message: string) => new LambdaServiceError('InvalidRequestContentException', message, 400);

export const invalidClientContext = () => invalidRequestContent('Client context must be a valid Base64-encoded JSON object');

/** The function could not run here at all (unsupported runtime, missing code...). */
export const functionNotRunnable = (fn: string, reason: string) =>
  new LambdaServiceError('ResourceConflictException', `Function ${fn} cannot run locally: ${reason}`, 409);

/** A request field that breaks the API model's constraint, in the words of AWS's request validation. */
export const validationError = (value: string, field: string, constraint: string) =>
  new LambdaServiceError(
    'ValidationException',
    `1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: ${constraint}`,
    400,
  );

/** What Lambda's front door answers to a request that carries no signature. */
export const missingAuthenticationToken = () =>
  new LambdaServiceError('MissingAuthenticationTokenException', 'Missing Authentication Token', 403);

/** PutFunctionConcurrency beyond what the account limit leaves for functions without reserved concurrency. */
export const unreservedConcurrencyBelowMinimum = (minimum: number) =>
  invalidParameter(
    `Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [${minimum}].`,
  );

/** Lambda's limit on a function's code plus its layers, unzipped. */
export const unzippedSizeTooLarge = (limit: number, what: string) =>
  invalidParameter(`Unzipped size must be smaller than ${limit} bytes (${what}).`);

/** `operations`: what the server does serve, by Lambda API name (read off its route table). */
export const unknownOperation = (method: string, path: string, operations: string[]) =>
  new LambdaServiceError(
    'UnknownOperationException',
    `Lambda Lab's local Lambda API does not serve ${method} ${path}. It emulates ${operations.join(', ')}; ` +
      'functions and layers come from the template.',
    404,
  );
