// Invocations a debug session makes itself: the ones a launch configuration asks for, and the
// `lambdaLab.invoke` custom request (standalone adapter, tests). Their results go to the Debug
// Console; invokes from anywhere else report to their own callers.
import type { LocalRuntime } from '../runtime/localRuntime';

/** Custom request: invoke a debugged function through this session's runtime. */
export const INVOKE_REQUEST = 'lambdaLab.invoke';

export interface InvokeRequestArguments {
  /** Default: the launched function. */
  function?: string;
  /** The event, any JSON value; default `{}`. */
  payload?: unknown;
  qualifier?: string;
}

export interface InvokeRequestResult {
  requestId: string;
  payload: string;
  functionError: string | undefined;
  environmentId: string;
  cold: boolean;
  /** Of the invoke's duration, the time it was stopped under the debugger. */
  pausedMs: number | undefined;
}

export async function invokeFromRequest(
  runtime: LocalRuntime | undefined,
  launchedFunction: string | undefined,
  args: InvokeRequestArguments,
  signal: AbortSignal,
): Promise<InvokeRequestResult> {
  const name = args.function ?? launchedFunction;
  if (!runtime || !name) throw new Error(`${INVOKE_REQUEST} needs a launched session or a "function" argument.`);
  const result = await runtime.invoke(name, JSON.stringify(args.payload ?? {}), { qualifier: args.qualifier, signal });
  return {
    requestId: result.requestId,
    payload: result.payload.toString('utf8'),
    functionError: result.functionError,
    environmentId: result.environmentId,
    cold: result.cold,
    pausedMs: result.pausedMs,
  };
}

/** What running a launch's invocations needs of its session. */
export interface InvokingSession {
  readonly signal: AbortSignal;
  /** Once the session ends, remaining invocations are skipped and failures are expected. */
  isEnding(): boolean;
  output(text: string, category: 'console' | 'stderr'): void;
}

/** A launch's `invocations`, one after another; resolves once all ran or the session ended. */
export async function runInvocations(
  runtime: LocalRuntime,
  functionName: string,
  payload: string,
  count: number,
  session: InvokingSession,
): Promise<void> {
  for (let i = 0; i < count && !session.isEnding(); i++) {
    try {
      const result = await runtime.invoke(functionName, payload, { signal: session.signal });
      const text = result.payload.toString('utf8');
      if (result.functionError) session.output(`Invocation ${result.requestId} failed: ${text}\n`, 'stderr');
      else session.output(`Invocation ${result.requestId} returned: ${text}\n`, 'console');
    } catch (err) {
      if (!session.isEnding())
        session.output(`Invoke of ${functionName} failed: ${err instanceof Error ? err.message : String(err)}\n`, 'stderr');
    }
  }
}
