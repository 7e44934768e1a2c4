// What the handler is called on. A stack trace names an anonymous handler (the usual
// `exports.handler = awslambda.streamifyResponse(async () => ...)`, or one a wrapper returns)
// after that object's class: "at Runtime.handler" on nodejs20.x/22.x, "at
// BufferedInvokeProcessor.handler" or "at StreamingInvokeProcessor.handler" on nodejs24.x.
import type { UserHandler } from './handlerLoader';
import type { ClientGeneration } from './runtimeClient';

export interface HandlerReceiver {
  handler: UserHandler;
}

class Runtime implements HandlerReceiver {
  constructor(readonly handler: UserHandler) {}
}

class BufferedInvokeProcessor implements HandlerReceiver {
  constructor(readonly handler: UserHandler) {}
}

class StreamingInvokeProcessor implements HandlerReceiver {
  constructor(readonly handler: UserHandler) {}
}

export function handlerReceiver(handler: UserHandler, generation: ClientGeneration, streaming: boolean): HandlerReceiver {
  if (generation === 'classic') return new Runtime(handler);
  return streaming ? new StreamingInvokeProcessor(handler) : new BufferedInvokeProcessor(handler);
}
