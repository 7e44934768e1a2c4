// The invoke loop: GET /next, run the handler, post its answer, repeat — for buffered and
// for streamified handlers. Errors that escape an invocation (uncaught exceptions, unhandled
// rejections) are posted for that invocation and end the process, so the environment is
// replaced, as in Lambda.
import type { HandlerMetadata } from './awslambdaGlobal';
import { beforeExitListener } from './beforeExitListener';
import { buildCallbackContext, type AfterPost } from './callbackContext';
import type { UserHandler } from './handlerLoader';
import { InvokeContext } from './invokeContext';
import { logError } from './logPatch';
import { createResponseStream } from './responseStream';
import { exitOnLostRuntimeApi, type RuntimeApiClient } from './runtimeApiClient';
import { nodeJsExit } from './runtimeErrors';

/** What the process-level 'uncaughtException'/'unhandledRejection' listeners do; re-pointed per invocation. */
export interface ErrorCallbacks {
  uncaughtException(error: unknown): void;
  unhandledRejection(error: unknown): void;
}

/** Exit codes of the managed runtime after such errors. */
export const EXIT_UNCAUGHT_EXCEPTION = 129;
export const EXIT_UNHANDLED_REJECTION = 128;

const isPromise = (value: unknown): value is PromiseLike<unknown> =>
  !!value && typeof (value as PromiseLike<unknown>).then === 'function';

export class RuntimeLoop {
  /**
   * After an answer is sent, the poll for the next event follows at once on the same connection
   * (pipelined, see runtimeApiClient.ts): the Runtime API still sees answer then poll, in that
   * order, but a warm invoke no longer waits a round trip for the 202 in between.
   */
  private readonly after: AfterPost = (posted) => {
    posted.catch(exitOnLostRuntimeApi);
    this.scheduleIteration();
  };

  constructor(
    private readonly client: RuntimeApiClient,
    private readonly handler: UserHandler,
    private readonly metadata: HandlerMetadata,
    private readonly errorCallbacks: ErrorCallbacks,
  ) {}

  /** Starts the next iteration on the next turn of the event loop. */
  scheduleIteration(): void {
    setImmediate(() => {
      const once = this.metadata.streaming ? this.handleOnceStreaming() : this.handleOnce();
      once.catch((error: unknown) => {
        console.log(`Unexpected Top Level Error: ${String(error)}`);
        this.errorCallbacks.uncaughtException(error);
      });
    });
  }

  private async handleOnce(): Promise<void> {
    const { body, headers } = await this.client.nextInvocation();
    const invoke = new InvokeContext(headers);
    const answer = buildCallbackContext(this.client, invoke.requestId, this.after);
    try {
      this.setErrorCallbacks(invoke.requestId);
      // Answers for a handler that neither called back nor settled before the loop ran dry.
      beforeExitListener.set(() => {
        answer.markCompleted();
        if (this.metadata.isAsync) {
          const error = nodeJsExit();
          logError('Invoke Error', error);
          this.after(this.client.postInvocationError(invoke.requestId, error));
        } else {
          this.after(this.client.postInvocationResponse(invoke.requestId, 'null'));
        }
      });
      const result = this.handler(JSON.parse(body), invoke.enter(answer.context), answer.callback);
      if (isPromise(result)) {
        Promise.resolve(result).then(answer.context.succeed, answer.context.fail).catch(answer.context.fail);
      }
    } catch (error) {
      answer.callback(error);
    }
  }

  private async handleOnceStreaming(): Promise<void> {
    const { body, headers } = await this.client.nextInvocation();
    const invoke = new InvokeContext(headers);
    let waitForEmptyEventLoop = true;
    const context = {
      get callbackWaitsForEmptyEventLoop() {
        return waitForEmptyEventLoop;
      },
      set callbackWaitsForEmptyEventLoop(value: boolean) {
        waitForEmptyEventLoop = value;
      },
    };
    const scheduleNext = () => {
      beforeExitListener.reset();
      if (!waitForEmptyEventLoop) this.scheduleIteration();
      else beforeExitListener.set(() => setImmediate(() => this.scheduleIteration()));
    };
    const response = createResponseStream(this.client, invoke.requestId);
    const fail = (error: unknown) => {
      logError('Invoke Error', error);
      response.fail(error).then(scheduleNext, exitOnLostRuntimeApi);
    };

    try {
      this.setErrorCallbacks(invoke.requestId);
      beforeExitListener.set(() => this.scheduleIteration());
      const result = this.handler(JSON.parse(body), response.stream, invoke.enter(context));
      if (!isPromise(result)) {
        fail('Streaming does not support non-async handlers.');
        return;
      }
      if ((await result) !== undefined) console.warn('Streaming handlers ignore return values.');
      await response.posted;
      if (!response.stream.writableFinished) {
        fail('Response stream is not finished.');
        return;
      }
      scheduleNext();
    } catch (error) {
      fail(error);
    }
  }

  private setErrorCallbacks(requestId: string): void {
    const postThenExit = (code: number) => (error: unknown) =>
      void this.client.postInvocationError(requestId, error).then(() => process.exit(code), exitOnLostRuntimeApi);
    this.errorCallbacks.uncaughtException = postThenExit(EXIT_UNCAUGHT_EXCEPTION);
    this.errorCallbacks.unhandledRejection = postThenExit(EXIT_UNHANDLED_REJECTION);
  }
}
