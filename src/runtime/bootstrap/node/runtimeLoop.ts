// The invoke loop: GET /next, run the handler, post its answer, repeat — for buffered and
// for streamified handlers. Errors that escape an invocation (uncaught exceptions, unhandled
// rejections) are posted for that invocation and end the process, so the environment is
// replaced, as in Lambda.
import type { HandlerMetadata } from './awslambdaGlobal';
import { beforeExitListener } from './beforeExitListener';
import { buildCallbackContext, serializeResponse, type AfterPost } from './callbackContext';
import type { UserHandler } from './handlerLoader';
import { handlerReceiver, type HandlerReceiver } from './handlerReceiver';
import { InvokeContext } from './invokeContext';
import { logError } from './logPatch';
import { createResponseStream } from './responseStream';
import { exitOnLostRuntimeApi, type Invocation, type RuntimeApiClient } from './runtimeApiClient';
import type { ClientGeneration } from './runtimeClient';
import { jsonStringifyError, nodeJsExit } from './runtimeErrors';

/** What the process-level 'uncaughtException'/'unhandledRejection' listeners do; re-pointed per invocation. */
export interface ErrorCallbacks {
  uncaughtException(error: unknown): void;
  unhandledRejection(error: unknown): void;
}

/** Exit codes of the managed runtime after such errors. */
export const EXIT_UNCAUGHT_EXCEPTION = 129;
export const EXIT_UNHANDLED_REJECTION = 128;

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

const nextTurn = () => new Promise((turn) => setImmediate(turn));

const isPromise = (value: unknown): value is PromiseLike<unknown> => !!value && typeof (value as PromiseLike<unknown>).then === 'function';

export class RuntimeLoop {
  /**
   * After an answer is sent, the poll for the next event follows in the same write on the same
   * connection (pipelined, see runtimeApiClient.ts): the Runtime API still sees answer then
   * poll, in that order, but a warm invoke no longer waits a round trip for the 202 in between.
   */
  private readonly after: AfterPost = (posted) => {
    posted.catch(exitOnLostRuntimeApi);
    this.scheduleIteration();
  };

  /** The promise of an async handler run under a debugger, whose rejection we claim back. */
  private escaping: { promise: Promise<unknown>; fail: (error: unknown) => void } | undefined;

  private readonly receiver: HandlerReceiver;

  constructor(
    private readonly client: RuntimeApiClient,
    handler: UserHandler,
    private readonly metadata: HandlerMetadata,
    private readonly errorCallbacks: ErrorCallbacks,
    /** A debugger is attached (the runtime asked us to wait for one). */
    private readonly debugging = false,
    private readonly generation: ClientGeneration = 'classic',
  ) {
    this.receiver = handlerReceiver(handler, generation, metadata.streaming);
  }

  /**
   * Called by the process-level 'unhandledRejection' listener: true when the rejection is an
   * error thrown out of the handler under a debugger, which is then answered as a normal
   * handler error (not as Runtime.UnhandledPromiseRejection).
   */
  claimRejection(promise: Promise<unknown>, reason: unknown): boolean {
    if (!this.escaping || this.escaping.promise !== promise) return false;
    const { fail } = this.escaping;
    this.escaping = undefined;
    fail(reason);
    return true;
  }

  /**
   * Starts the next iteration on the next turn of the event loop. The poll for it leaves now,
   * in the same write as the answer just posted (if any); the handler still runs no earlier
   * than the next turn, as in the managed runtime.
   */
  scheduleIteration(): void {
    const next = this.client.nextInvocation();
    // Its failure is handled when the iteration awaits it, maybe a poll phase after it happened.
    next.catch(() => {});
    setImmediate(() => {
      const once = this.metadata.streaming
        ? this.handleOnceStreaming(next)
        : this.generation === 'ric4'
          ? this.handleOnceAwaiting(next)
          : this.handleOnce(next);
      once.catch((error: unknown) => {
        console.log(`Unexpected Top Level Error: ${String(error)}`);
        this.errorCallbacks.uncaughtException(error);
      });
    });
  }

  private async handleOnce(next: Promise<Invocation>): Promise<void> {
    const { body, headers } = await next;
    const invoke = new InvokeContext(headers, this.generation);
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
      const event = JSON.parse(body);
      const context = invoke.enter(answer.context);
      if (this.debugging && this.metadata.isAsync) {
        // From a microtask: no frame of ours (no try block, no awaited promise) is below the handler.
        queueMicrotask(() => this.runEscapingToDebugger(event, context, answer));
        return;
      }
      const result = this.receiver.handler(event, context, answer.callback);
      if (isPromise(result)) {
        Promise.resolve(result).then(answer.context.succeed, answer.context.fail).catch(answer.context.fail);
      }
    } catch (error) {
      answer.callback(error);
    }
  }

  /**
   * aws-lambda-ric 4.x (nodejs24.x): `await handler(event, context)`, no callback and no
   * callback fields on the context; whatever it returns (a plain value too) is the answer,
   * posted on the next turn without waiting for the event loop to drain.
   */
  private async handleOnceAwaiting(next: Promise<Invocation>): Promise<void> {
    const { body, headers } = await next;
    const invoke = new InvokeContext(headers, this.generation);
    this.setErrorCallbacks(invoke.requestId);
    beforeExitListener.reset();
    const event = JSON.parse(body);
    const context = invoke.enter({});
    const answer = (outcome: Outcome) => this.answerAwaited(invoke.requestId, outcome);
    if (this.debugging && this.metadata.isAsync) {
      // As for the classic client below: the handler's rejection stays unobserved, so V8 stops on it.
      queueMicrotask(() => {
        const result = this.receiver.handler(event, context) as Promise<unknown>;
        this.escaping = { promise: result.then((value) => answer({ ok: true, value })), fail: (error) => answer({ ok: false, error }) };
      });
      return;
    }
    let outcome: Outcome;
    try {
      outcome = { ok: true, value: await this.receiver.handler(event, context) };
    } catch (error) {
      outcome = { ok: false, error };
    }
    await answer(outcome);
  }

  /**
   * 4.x posts on the next turn after the handler settled; an answer it cannot serialise is
   * failed as its handler's errors are, a turn later still.
   */
  private async answerAwaited(requestId: string, outcome: Outcome): Promise<void> {
    await nextTurn();
    if (outcome.ok) {
      let body: string;
      try {
        body = serializeResponse(outcome.value, jsonStringifyError);
      } catch (error) {
        return this.answerAwaited(requestId, { ok: false, error });
      }
      return this.after(this.client.postInvocationResponse(requestId, body));
    }
    logError('Invoke Error', outcome.error);
    this.after(this.client.postInvocationError(requestId, outcome.error));
  }

  /**
   * Under a debugger, an error thrown out of an async handler must look uncaught to V8, so that
   * "Uncaught Exceptions" stops at the throw with the handler's frames live: nothing of ours
   * catches around the call and its promise gets no rejection reaction. The rejection then reaches the
   * 'unhandledRejection' listener, which hands it back through claimRejection and it is answered
   * as below. (An async function never throws synchronously, so no try is needed here.)
   */
  private runEscapingToDebugger(event: unknown, context: unknown, answer: ReturnType<typeof buildCallbackContext>): void {
    const result = this.receiver.handler(event, context, answer.callback) as Promise<unknown>;
    this.escaping = { promise: result.then(answer.context.succeed), fail: answer.context.fail };
  }

  private async handleOnceStreaming(next: Promise<Invocation>): Promise<void> {
    const { body, headers } = await next;
    const invoke = new InvokeContext(headers, this.generation);
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
      const result = this.receiver.handler(JSON.parse(body), response.stream, invoke.enter(context));
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
