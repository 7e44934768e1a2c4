// InvokeWithResponseStream (POST /2021-11-15/functions/{FunctionName}/response-streaming-invocations):
// the function's bytes go out as PayloadChunk events while the handler writes them, then one
// InvokeComplete event (ErrorCode/ErrorDetails when it failed, LogResult with `LogType: Tail`).
// A handler that does not stream arrives as one chunk. Service errors (throttling, unknown
// function, payload too large) are plain HTTP errors, before any event.
import type { LocalRuntime } from '../localRuntime';
import { MAX_SYNC_PAYLOAD } from '../localRuntime';
import type { DeploymentStore } from '../versions/deploymentStore';
import { invalidParameter } from '../errors/serviceErrors';
import type { ApiRequest } from './apiRequest';
import { invokeComplete, payloadChunk } from './eventStreamEncoding';
import { lookupFunction } from './managementRoutes';

const LOG_TAIL_BYTES = 4096;

export async function invokeWithResponseStream(runtime: LocalRuntime, deployment: DeploymentStore, r: ApiRequest): Promise<void> {
  const { fn, qualifier } = lookupFunction(runtime, r.params.FunctionName, r.query.get('Qualifier') ?? undefined);
  const type = r.header('x-amz-invocation-type') ?? 'RequestResponse';
  if (type !== 'RequestResponse' && type !== 'DryRun') {
    throw invalidParameter(`InvocationType ${type} is not one of RequestResponse, DryRun for InvokeWithResponseStream.`);
  }
  const body = await r.body(MAX_SYNC_PAYLOAD);
  // Streamed chunks leave before the invoke ends, so the executed version is settled up front.
  const version = qualifier && qualifier !== '$LATEST' ? (await deployment.versions.resolve(fn, qualifier)).version : '$LATEST';
  if (type === 'DryRun') {
    r.send(204, undefined, { 'X-Amz-Executed-Version': version });
    return;
  }
  const { res } = r;
  const open = () => {
    if (res.headersSent) return;
    res.writeHead(200, {
      'Content-Type': 'application/vnd.amazon.eventstream',
      'x-amzn-RequestId': r.requestId,
      'X-Amz-Executed-Version': version,
    });
    res.flushHeaders();
  };
  const result = await runtime.invoke(fn.functionName, body, {
    qualifier,
    clientContext: r.header('x-amz-client-context'),
    requestId: r.requestId,
    onStreamChunk: (chunk) => {
      open();
      res.write(payloadChunk(chunk));
    },
  });
  open();
  const complete: { ErrorCode?: string; ErrorDetails?: string; LogResult?: string } = {};
  if (result.functionError) {
    const error = parseError(result.payload);
    complete.ErrorCode = error.errorType;
    complete.ErrorDetails = error.errorMessage;
  } else if (!result.streamed && result.payload.length) {
    res.write(payloadChunk(result.payload));
  }
  if (r.header('x-amz-log-type') === 'Tail') complete.LogResult = Buffer.from(result.logTail).subarray(-LOG_TAIL_BYTES).toString('base64');
  res.end(invokeComplete(complete));
}

function parseError(payload: Buffer): { errorType: string; errorMessage: string } {
  try {
    const e = JSON.parse(payload.toString('utf8')) as { errorType?: unknown; errorMessage?: unknown };
    return { errorType: String(e.errorType ?? 'Unhandled'), errorMessage: String(e.errorMessage ?? '') };
  } catch {
    return { errorType: 'Unhandled', errorMessage: payload.toString('utf8') };
  }
}
