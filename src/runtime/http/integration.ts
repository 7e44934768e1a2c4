// Invoking a function on behalf of a front door: the event goes in as JSON; the answer comes back
// whole, or — when the handler streams and the front door streams — straight to the client as it
// is written. The integration timeout answers the client but, as in API Gateway, leaves the
// function running to its own timeout. A debugged function is never timed out by the gateway.
import type { ServerResponse } from 'node:http';
import { LambdaServiceError } from '../errors/serviceErrors';
import { JsonPayload } from '../invokePayload';
import type { LocalRuntime } from '../localRuntime';
import type { InvokeResult } from '../runtimeEvents';
import { StreamedResponse, type StreamHead } from './streamedResponse';

export interface IntegrationRequest {
  runtime: LocalRuntime;
  functionName: string;
  qualifier?: string;
  event: unknown;
  /** Gateway timeout; none for function URLs (the function's own timeout applies). */
  timeoutMs?: number;
  /** When given, a streamed response is written to this client as it arrives. */
  stream?: { res: ServerResponse; decorate: (head: StreamHead) => StreamHead };
}

export type IntegrationOutcome =
  | { kind: 'result'; result: InvokeResult; streamContentType?: string }
  | { kind: 'streamed'; result: InvokeResult }
  | { kind: 'timeout' }
  | { kind: 'refused'; error: LambdaServiceError };

export async function invokeIntegration(request: IntegrationRequest): Promise<IntegrationOutcome> {
  const { runtime, functionName } = request;
  let streamContentType: string | undefined;
  let streamed: StreamedResponse | undefined;
  const onStreamChunk = (chunk: Buffer, contentType: string | undefined) => {
    streamContentType ??= contentType;
    if (!request.stream) return;
    streamed ??= new StreamedResponse(request.stream.res, request.stream.decorate);
    streamed.push(chunk, contentType);
  };
  const invoke = runtime.invoke(functionName, JsonPayload.of(request.event), { qualifier: request.qualifier, onStreamChunk }).then(
    (result): IntegrationOutcome => {
      if (streamed) {
        streamed.end(result.functionError !== undefined);
        if (streamed.started || !result.functionError) return { kind: 'streamed', result };
      }
      return { kind: 'result', result, streamContentType };
    },
    (error: unknown): IntegrationOutcome => {
      if (error instanceof LambdaServiceError) return { kind: 'refused', error };
      throw error;
    },
  );
  if (request.timeoutMs === undefined) return invoke;
  return new Promise<IntegrationOutcome>((resolve, reject) => {
    const check = () => {
      // Once bytes are flowing the client has its answer; a paused debugger is not a slow function.
      if (streamed?.started || runtime.environments(functionName).some((e) => e.debug)) {
        timer = setTimeout(check, request.timeoutMs).unref();
        return;
      }
      resolve({ kind: 'timeout' });
    };
    let timer = setTimeout(check, request.timeoutMs).unref();
    invoke.then(
      (outcome) => {
        clearTimeout(timer);
        resolve(outcome);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
