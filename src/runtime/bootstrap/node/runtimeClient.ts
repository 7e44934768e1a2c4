// Which of AWS's Node runtime interface clients the managed runtime of this function runs, so
// the bootstrap can behave as that one does. nodejs20.x and nodejs22.x run the classic client
// (callbacks, a synchronous return value ignored, handlers looked up in the CommonJS exports);
// nodejs24.x runs aws-lambda-ric 4.x: callback handlers refused at init, every return value
// awaited and answered, handlers looked up in the ES-module namespace then its `default`.
import { runtimeError } from './runtimeErrors';

export type ClientGeneration = 'classic' | 'ric4';

export function clientGeneration(env: NodeJS.ProcessEnv = process.env): ClientGeneration {
  const major = Number(/^AWS_Lambda_nodejs(\d+)/.exec(env.AWS_EXECUTION_ENV ?? '')?.[1]);
  return major >= 24 ? 'ric4' : 'classic';
}

/** aws-lambda-ric 4.x's message for nodejs24.x and later, verbatim. */
const CALLBACK_REMOVED =
  'ERROR: AWS Lambda has removed support for callback-based function handlers starting with Node.js 24. You need to modify this function to use a supported handler signature to use Node.js 24 or later. For more information see https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html.';

/** 4.x: a handler declaring three parameters (event, context, callback) that is not streaming fails init. */
export function refuseCallbackHandler(handler: (...args: unknown[]) => unknown, streaming: boolean): void {
  if (handler.length >= 3 && !streaming) throw runtimeError('CallbackHandlerDeprecated', CALLBACK_REMOVED);
}
