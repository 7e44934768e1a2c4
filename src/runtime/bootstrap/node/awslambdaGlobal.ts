// The `awslambda` global the managed runtime gives handler code (unless
// AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA is set): streamifyResponse and HttpResponseStream, and
// on nodejs24.x the InvokeStore.
import { HttpResponseStream } from './httpResponseStream';
import { invokeStore } from './invokeStore';
import type { ClientGeneration } from './runtimeClient';
import { malformedStreamingHandler } from './runtimeErrors';

// Shared symbols, so handlers marked by another copy of the runtime library are recognised too.
const STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
const STREAM_RESPONSE = 'response';

type MarkedHandler = ((...args: unknown[]) => unknown) & { [STREAMING]?: unknown };

export interface HandlerMetadata {
  streaming: boolean;
  isAsync: boolean;
}

export function installAwslambdaGlobal(generation: ClientGeneration): void {
  const flag = process.env.AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA;
  if (flag === '1' || flag === 'true') return;
  (globalThis as Record<string, unknown>).awslambda = {
    // The `highWaterMark` option is accepted and ignored: buffering is left to node's defaults.
    streamifyResponse(handler: MarkedHandler) {
      handler[STREAMING] = STREAM_RESPONSE;
      return handler;
    },
    HttpResponseStream,
    ...(generation === 'ric4' ? { InvokeStore: invokeStore } : {}),
  };
}

export function handlerMetadata(handler: MarkedHandler): HandlerMetadata {
  const mode = handler[STREAMING];
  if (mode !== undefined && mode !== null && mode !== false && mode !== STREAM_RESPONSE) {
    throw malformedStreamingHandler('Only response streaming is supported.');
  }
  return {
    streaming: mode === STREAM_RESPONSE,
    isAsync: handler.constructor?.name === 'AsyncFunction',
  };
}
