// The event a runtime client receives from `invocation/next`: the payload and the invocation
// headers Lambda sets (deadline, invoked function ARN, X-Ray trace id, client context).
import { randomHex } from '../randomPool';
import type { FunctionConfig } from '../functionConfig';
import type { RuntimeApiEvent } from './runtimeApiServer';

export interface InvocationRequest {
  requestId: string;
  payload: Buffer;
  /** Base64 JSON, as X-Amz-Client-Context carries it; the runtime client gets it decoded. */
  clientContext?: string;
}

export function invocationEvent(
  request: InvocationRequest,
  where: { fn: FunctionConfig; version: string; region: string; accountId: string },
): RuntimeApiEvent {
  const { fn, version, region, accountId } = where;
  const qualifier = version === '$LATEST' ? '' : `:${version}`;
  return {
    requestId: request.requestId,
    payload: request.payload,
    deadlineMs: Date.now() + fn.timeout * 1000,
    invokedFunctionArn: `arn:aws:lambda:${region}:${accountId}:function:${fn.functionName}${qualifier}`,
    traceId: traceId(),
    clientContext: request.clientContext ? Buffer.from(request.clientContext, 'base64').toString() : undefined,
  };
}

/** X-Ray trace header as Lambda passes it (`Root=1-<8 hex time>-<24 hex>;Parent=...;Sampled=0`). */
function traceId(): string {
  const hex = randomHex(20);
  const time = Math.floor(Date.now() / 1000).toString(16);
  return `Root=1-${time}-${hex.slice(0, 24)};Parent=${hex.slice(24)};Sampled=0;Lineage=1:local:0`;
}
