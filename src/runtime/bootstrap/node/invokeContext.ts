// One invocation's identity, read from the /next response headers: the request id (also the
// logging context), the deadline behind getRemainingTimeInMillis(), the X-Ray trace id that
// Lambda exposes as _X_AMZN_TRACE_ID, and the fields of the handler's `context` that come
// from the environment.
import type { IncomingHttpHeaders } from 'node:http';
import { enterInvocation } from './invokeStore';
import { setCurrentInvocation } from './logPatch';
import type { ClientGeneration } from './runtimeClient';

/** The `context` fields that do not depend on how the handler answers. */
export interface InvocationData {
  functionName: string | undefined;
  functionVersion: string | undefined;
  /** A string, as the managed runtime reads it from AWS_LAMBDA_FUNCTION_MEMORY_SIZE. */
  memoryLimitInMB: string | undefined;
  logGroupName: string | undefined;
  logStreamName: string | undefined;
  clientContext: unknown;
  identity: unknown;
  invokedFunctionArn: string | undefined;
  awsRequestId: string;
  /** The tenant of a tenant-isolated function's invocation (Lambda-Runtime-Aws-Tenant-Id). */
  tenantId: string | undefined;
  /** aws-lambda-ric 4.x only. */
  xRayTraceId?: string;
  getRemainingTimeInMillis(): number;
}

const header = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

export class InvokeContext {
  readonly requestId: string;

  constructor(
    private readonly headers: IncomingHttpHeaders,
    private readonly generation: ClientGeneration = 'classic',
  ) {
    const id = header(headers, 'lambda-runtime-aws-request-id');
    if (!id) throw new Error('invocation id is missing or invalid');
    this.requestId = id;
  }

  /**
   * Makes this invocation current for logs and X-Ray, then merges its data into `target`, in
   * the order the client builds it (the order `Object.keys(context)` shows): the classic client
   * puts the environment's fields before the invocation's, 4.x after them.
   */
  enter<T extends object>(target: T): T & InvocationData {
    const tenantId = header(this.headers, 'lambda-runtime-aws-tenant-id');
    setCurrentInvocation(this.requestId, tenantId);
    const trace = header(this.headers, 'lambda-runtime-trace-id');
    if (trace) process.env._X_AMZN_TRACE_ID = trace;
    else delete process.env._X_AMZN_TRACE_ID;

    const env = process.env;
    const rest = {
      memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
      logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
      logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    };
    const invocation = this.invocationData(trace, tenantId);
    if (this.generation === 'ric4') {
      enterInvocation(this.requestId, trace);
      const environment = { functionName: env.AWS_LAMBDA_FUNCTION_NAME, functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION, ...rest };
      return Object.assign(target, invocation, environment);
    }
    const environment = { functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION, functionName: env.AWS_LAMBDA_FUNCTION_NAME, ...rest };
    return Object.assign(target, environment, invocation);
  }

  private invocationData(trace: string | undefined, tenantId: string | undefined) {
    const deadline = Number(header(this.headers, 'lambda-runtime-deadline-ms'));
    return {
      clientContext: parseJsonHeader(header(this.headers, 'lambda-runtime-client-context'), 'ClientContext'),
      identity: parseJsonHeader(header(this.headers, 'lambda-runtime-cognito-identity'), 'CognitoIdentity'),
      invokedFunctionArn: header(this.headers, 'lambda-runtime-invoked-function-arn'),
      awsRequestId: this.requestId,
      tenantId,
      ...(this.generation === 'ric4' ? { xRayTraceId: trace } : {}),
      getRemainingTimeInMillis: () => deadline - Date.now(),
    };
  }
}

function parseJsonHeader(value: string | undefined, name: string): unknown {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value);
  } catch (err) {
    throw new Error(`Cannot parse ${name} as json: ${String(err)}`);
  }
}
