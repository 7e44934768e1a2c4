// The user's one debug session with Python environments in it: LambdaDebugSession debugs Node
// environments through their inspectors; this adds each Python environment as a thread of
// the same session, talking DAP to the debugpy adapter in its process. Requests about a
// Python thread, frame, variable or source go to its debugpy with ids translated; everything
// else is the Node session's. Breakpoints in .py files are kept here and bound in every
// Python environment before its init runs.
import * as path from 'node:path';
import { BreakpointEvent, OutputEvent, StoppedEvent, Thread, ThreadEvent } from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { LocalRuntime } from '../../runtime/localRuntime';
import { locateBootstrap } from '../../runtime/bootstrap/bootstrapLocation';
import type { EnvironmentInfo, RuntimeEvents, StopReason } from '../../runtime/runtimeEvents';
import { LambdaDebugSession } from '../lambdaDebugSession';
import { commonSettings, type AttachArguments, type LaunchArguments, type SessionSettings } from '../launchConfig';
import type { RuntimeHost } from '../runtimeHost';
import { PythonBreakpoints, type PythonBreakpoint } from './pythonBreakpoints';
import { PythonHandles } from './pythonHandles';
import { PythonThread, type PythonThreadListener, type StepKind } from './pythonThread';

/** Python thread ids live above the Node session's, so the two never collide. */
const THREAD_ID_BASE = 1 << 20;

type Matcher = (env: { functionName: string }) => boolean;

/** Our exception filters in debugpy's terms; "uncaught" includes what leaves the handler into the runtime. */
function debugpyFilters(filters: string[]): string[] {
  if (filters.includes('all')) return ['raised', 'uncaught'];
  if (filters.includes('uncaught')) return ['uncaught', 'userUnhandled'];
  return [];
}

/** Hands the session's runtime to `onRuntime` as the Node session gets it. */
class ObservedHost implements RuntimeHost {
  onRuntime: (runtime: LocalRuntime) => void = () => undefined;

  constructor(private readonly host: RuntimeHost) {}

  async getRuntime(templatePath: string | undefined, opts: { envVarsFile?: string; cwd?: string }): Promise<LocalRuntime> {
    const runtime = await this.host.getRuntime(templatePath, opts);
    this.onRuntime(runtime);
    return runtime;
  }

  dispose(): Promise<void> {
    return this.host.dispose?.() ?? Promise.resolve();
  }
}

export class PythonAwareDebugSession extends LambdaDebugSession {
  private pyRuntime: LocalRuntime | undefined;
  private pySettings: SessionSettings | undefined;
  private pyMatches: Matcher = () => false;
  private pyMode: 'launch' | 'attach' | undefined;
  private readonly pyThreads = new Map<number, PythonThread>();
  private readonly pyThreadByEnvironment = new Map<string, PythonThread>();
  private readonly pyBreakpoints = new PythonBreakpoints();
  private readonly handles = new PythonHandles();
  private pyExceptionFilters: string[] = [];
  private nextPyThreadId = THREAD_ID_BASE;
  private readonly pyDisposers: Array<() => void> = [];
  private pyEnding = false;

  constructor(host: RuntimeHost) {
    const observed = new ObservedHost(host);
    super(observed);
    observed.onRuntime = (runtime) => this.onPythonRuntime(runtime);
  }

  // ---- which environments ---------------------------------------------------------------------

  protected override launchRequest(response: DebugProtocol.LaunchResponse, args: LaunchArguments): void {
    this.configurePython('launch', args, (runtime) => {
      const fn = typeof args.function === 'string' ? runtime.getFunction(args.function) : undefined;
      return (env) => !!fn && env.functionName === fn.functionName;
    });
    super.launchRequest(response, args);
  }

  protected override attachRequest(response: DebugProtocol.AttachResponse, args: AttachArguments): void {
    this.configurePython('attach', args, (runtime) => {
      if (args.functions === undefined || args.functions === 'all' || !Array.isArray(args.functions)) return () => true;
      const names = new Set(args.functions.map((f) => runtime.getFunction(String(f))?.functionName));
      return (env) => names.has(env.functionName);
    });
    super.attachRequest(response, args);
  }

  private pendingMatcher: ((runtime: LocalRuntime) => Matcher) | undefined;

  private configurePython(
    mode: 'launch' | 'attach',
    args: LaunchArguments | AttachArguments,
    matcher: (runtime: LocalRuntime) => Matcher,
  ): void {
    this.pyMode = mode;
    try {
      this.pySettings = commonSettings(args);
    } catch {
      // The Node session reports the configuration error.
    }
    this.pendingMatcher = matcher;
  }

  private onPythonRuntime(runtime: LocalRuntime): void {
    if (this.pyRuntime || !this.pendingMatcher) return;
    this.pyRuntime = runtime;
    this.pyMatches = this.pendingMatcher(runtime);
    // Breakpoints set before the function was known can now say which function binds them.
    for (const bp of this.pyBreakpoints.unverified()) {
      bp.message = this.pythonUnboundMessage();
      this.sendBreakpointChange(bp);
    }
    this.listenPython(runtime, 'environmentInspectorReady', (env) => {
      if (this.isPythonEnvironment(env) && this.pyMatches(env)) void this.attachPython(env);
    });
    this.listenPython(runtime, 'environmentStopped', (env, reason) => this.onPythonStopped(env, reason));
    if (this.pyMode === 'attach') {
      for (const env of runtime.environments()) {
        if (this.isPythonEnvironment(env) && this.pyMatches(env) && env.state !== 'stopped') void this.attachPython(env);
      }
    }
  }

  private isPythonEnvironment(env: EnvironmentInfo): boolean {
    return env.debugBridge === 'dap' && !!env.inspectorUrl;
  }

  private listenPython<E extends keyof RuntimeEvents>(
    runtime: LocalRuntime,
    event: E,
    listener: (...args: RuntimeEvents[E]) => void,
  ): void {
    runtime.on(event, listener as never);
    this.pyDisposers.push(() => runtime.off(event, listener as never));
  }

  // ---- environments = threads -----------------------------------------------------------------

  private async attachPython(env: EnvironmentInfo): Promise<void> {
    const runtime = this.pyRuntime;
    if (!runtime || this.pyThreadByEnvironment.has(env.id) || this.pyEnding) return;
    runtime.setDebuggerAttached(env.id, true, { suspendTimeout: this.pySettings?.suspendTimeout ?? true });
    let thread: PythonThread;
    try {
      thread = await PythonThread.connect(this.nextPyThreadId++, env, this.pyListener);
    } catch (err) {
      this.note(`Cannot debug ${env.functionName} ${env.version} #${env.ordinal}: ${(err as Error).message}\n`, 'stderr');
      runtime.setDebuggerAttached(env.id, false);
      return;
    }
    this.pyThreads.set(thread.id, thread);
    this.pyThreadByEnvironment.set(env.id, thread);
    this.sendEvent(new ThreadEvent('started', thread.id));
    const specs = this.pyBreakpoints.specs();
    try {
      const bootstrapDir = path.dirname(locateBootstrap('python'));
      const bound = await thread.start({ bootstrapDir, justMyCode: true }, specs, this.pyExceptionFilters);
      for (const [file, results] of bound) this.pyBreakpoints.bound(thread, file, results).forEach((bp) => this.sendBreakpointChange(bp));
    } catch (err) {
      if (!thread.isEnded) this.note(`Cannot debug ${thread.name}: ${(err as Error).message}\n`, 'stderr');
    }
  }

  private onPythonStopped(env: EnvironmentInfo, reason: StopReason): void {
    const thread = this.pyThreadByEnvironment.get(env.id);
    if (!thread || thread.isEnded) return;
    if (thread.isPaused) this.note(`${thread.name} ended while paused (${reason}).\n`, 'stderr');
    thread.end();
  }

  /** What Python threads tell the session. */
  private readonly pyListener: PythonThreadListener = {
    stopped: (thread, body) => this.pythonStopped(thread, body),
    breakpointChanged: (thread, breakpoint) => this.pythonBreakpointChanged(thread, breakpoint),
    output: (_thread, body) => this.pythonOutput(body),
    ended: (thread) => this.pythonEnded(thread),
    pausedChanged: (thread, paused) => this.pyRuntime?.setDebuggerPaused(thread.environment.id, paused),
  };

  private pythonStopped(thread: PythonThread, body: DebugProtocol.StoppedEvent['body']): void {
    const event = new StoppedEvent(body.reason, thread.id, body.text) as DebugProtocol.StoppedEvent;
    event.body.description = body.description;
    event.body.allThreadsStopped = false;
    if (body.hitBreakpointIds?.length) event.body.hitBreakpointIds = this.pyBreakpoints.ours(thread, body.hitBreakpointIds);
    this.sendEvent(event);
  }

  private pythonBreakpointChanged(thread: PythonThread, breakpoint: DebugProtocol.Breakpoint): void {
    const changed = this.pyBreakpoints.changed(thread, breakpoint);
    if (changed) this.sendBreakpointChange(changed);
  }

  private pythonOutput(body: DebugProtocol.OutputEvent['body']): void {
    const event = new OutputEvent(body.output, body.category ?? 'console') as DebugProtocol.OutputEvent;
    if (body.source) event.body.source = body.source;
    if (body.line !== undefined) event.body.line = body.line;
    this.sendEvent(event);
  }

  private pythonEnded(thread: PythonThread): void {
    this.pyThreads.delete(thread.id);
    if (this.pyThreadByEnvironment.get(thread.environment.id) === thread) this.pyThreadByEnvironment.delete(thread.environment.id);
    this.handles.forgetThread(thread);
    this.pyBreakpoints.forgetThread(thread);
    this.sendEvent(new ThreadEvent('exited', thread.id));
    if (!this.pyEnding) this.pyRuntime?.setDebuggerAttached(thread.environment.id, false);
  }

  /** The Node session's threads, then the Python ones. */
  override sendResponse(response: DebugProtocol.Response): void {
    if (response.command === 'threads' && response.success) {
      const body = (response as DebugProtocol.ThreadsResponse).body;
      body.threads = [...body.threads, ...[...this.pyThreads.values()].map((t) => new Thread(t.id, t.name))];
    }
    super.sendResponse(response);
  }

  // ---- breakpoints ------------------------------------------------------------------------------

  protected override setBreakPointsRequest(
    response: DebugProtocol.SetBreakpointsResponse,
    args: DebugProtocol.SetBreakpointsArguments,
  ): void {
    if (!args.source.path?.endsWith('.py')) return super.setBreakPointsRequest(response, args);
    void this.respondPython(response, async () => {
      const file = path.resolve(args.source.path!);
      const bps = this.pyBreakpoints.set(file, args.breakpoints ?? [], this.pythonUnboundMessage());
      await Promise.all(
        [...this.pyThreads.values()].map(async (thread) => {
          const results = await thread
            .setBreakpoints(
              file,
              bps.map((b) => b.spec),
            )
            .catch(() => undefined);
          if (results) this.pyBreakpoints.bound(thread, file, results);
        }),
      );
      response.body = { breakpoints: bps.map((bp) => PythonBreakpoints.toClient(bp)) };
    });
  }

  protected override setExceptionBreakPointsRequest(
    response: DebugProtocol.SetExceptionBreakpointsResponse,
    args: DebugProtocol.SetExceptionBreakpointsArguments,
  ): void {
    this.pyExceptionFilters = debugpyFilters(args.filters);
    for (const thread of this.pyThreads.values()) void thread.setExceptionFilters(this.pyExceptionFilters).catch(() => undefined);
    super.setExceptionBreakPointsRequest(response, args);
  }

  private pythonUnboundMessage(): string {
    const names =
      this.pyRuntime
        ?.functions()
        .filter((f) => this.pyMatches(f))
        .map((f) => f.functionName) ?? [];
    return names.length
      ? `Binds when ${names.join(', ')} loads this file (next cold start).`
      : 'Binds when the debugged function loads this file.';
  }

  private sendBreakpointChange(bp: PythonBreakpoint): void {
    this.sendEvent(new BreakpointEvent('changed', PythonBreakpoints.toClient(bp)));
  }

  // ---- execution control --------------------------------------------------------------------------

  protected override continueRequest(response: DebugProtocol.ContinueResponse, args: DebugProtocol.ContinueArguments): void {
    const thread = this.pyThreads.get(args.threadId);
    if (!thread) return super.continueRequest(response, args);
    void this.respondPython(response, async () => {
      this.handles.forgetPause(thread);
      await thread.resume();
      response.body = { allThreadsContinued: false };
    });
  }

  protected override nextRequest(response: DebugProtocol.NextResponse, args: DebugProtocol.NextArguments): void {
    if (!this.stepPython(response, args.threadId, 'next')) super.nextRequest(response, args);
  }

  protected override stepInRequest(response: DebugProtocol.StepInResponse, args: DebugProtocol.StepInArguments): void {
    if (!this.stepPython(response, args.threadId, 'stepIn')) super.stepInRequest(response, args);
  }

  protected override stepOutRequest(response: DebugProtocol.StepOutResponse, args: DebugProtocol.StepOutArguments): void {
    if (!this.stepPython(response, args.threadId, 'stepOut')) super.stepOutRequest(response, args);
  }

  private stepPython(response: DebugProtocol.Response, threadId: number, kind: StepKind): boolean {
    const thread = this.pyThreads.get(threadId);
    if (!thread) return false;
    void this.respondPython(response, async () => {
      this.handles.forgetPause(thread);
      await thread.step(kind);
    });
    return true;
  }

  protected override pauseRequest(response: DebugProtocol.PauseResponse, args: DebugProtocol.PauseArguments): void {
    const thread = this.pyThreads.get(args.threadId);
    if (!thread) return super.pauseRequest(response, args);
    void this.respondPython(response, () => thread.pause());
  }

  // ---- inspection ------------------------------------------------------------------------------

  protected override stackTraceRequest(response: DebugProtocol.StackTraceResponse, args: DebugProtocol.StackTraceArguments): void {
    const thread = this.pyThreads.get(args.threadId);
    if (!thread) return super.stackTraceRequest(response, args);
    void this.respondPython(response, async () => {
      const remoteThreadId = thread.remoteThreadId;
      if (remoteThreadId === undefined) throw new Error(`${thread.name} is running, not paused.`);
      const body = await thread.request<DebugProtocol.StackTraceResponse['body']>('stackTrace', { ...args, threadId: remoteThreadId });
      for (const frame of body.stackFrames) {
        frame.id = this.handles.frame(thread, frame.id);
        if (frame.source?.sourceReference) frame.source.sourceReference = this.handles.source(thread, frame.source.sourceReference);
      }
      response.body = body;
    });
  }

  protected override scopesRequest(response: DebugProtocol.ScopesResponse, args: DebugProtocol.ScopesArguments): void {
    const frame = this.handles.frameOf(args.frameId);
    if (!frame) return super.scopesRequest(response, args);
    void this.respondPython(response, async () => {
      const body = await frame.thread.request<DebugProtocol.ScopesResponse['body']>('scopes', { frameId: frame.remote });
      for (const scope of body.scopes) scope.variablesReference = this.handles.variables(frame.thread, scope.variablesReference);
      response.body = body;
    });
  }

  protected override variablesRequest(response: DebugProtocol.VariablesResponse, args: DebugProtocol.VariablesArguments): void {
    const ref = this.handles.variablesOf(args.variablesReference);
    if (!ref) return super.variablesRequest(response, args);
    void this.respondPython(response, async () => {
      const body = await ref.thread.request<DebugProtocol.VariablesResponse['body']>('variables', {
        ...args,
        variablesReference: ref.remote,
      });
      for (const v of body.variables) v.variablesReference = this.handles.variables(ref.thread, v.variablesReference);
      response.body = body;
    });
  }

  protected override setVariableRequest(response: DebugProtocol.SetVariableResponse, args: DebugProtocol.SetVariableArguments): void {
    const ref = this.handles.variablesOf(args.variablesReference);
    if (!ref) return super.setVariableRequest(response, args);
    void this.respondPython(response, async () => {
      const body = await ref.thread.request<DebugProtocol.SetVariableResponse['body']>('setVariable', {
        ...args,
        variablesReference: ref.remote,
      });
      if (body.variablesReference) body.variablesReference = this.handles.variables(ref.thread, body.variablesReference);
      response.body = body;
    });
  }

  protected override evaluateRequest(response: DebugProtocol.EvaluateResponse, args: DebugProtocol.EvaluateArguments): void {
    const frame = args.frameId !== undefined ? this.handles.frameOf(args.frameId) : undefined;
    if (!frame) return super.evaluateRequest(response, args);
    void this.respondPython(response, async () => {
      const body = await frame.thread.request<DebugProtocol.EvaluateResponse['body']>('evaluate', { ...args, frameId: frame.remote });
      body.variablesReference = this.handles.variables(frame.thread, body.variablesReference);
      response.body = body;
    });
  }

  protected override exceptionInfoRequest(response: DebugProtocol.ExceptionInfoResponse, args: DebugProtocol.ExceptionInfoArguments): void {
    const thread = this.pyThreads.get(args.threadId);
    if (!thread) return super.exceptionInfoRequest(response, args);
    void this.respondPython(response, async () => {
      response.body = await thread.request<DebugProtocol.ExceptionInfoResponse['body']>('exceptionInfo', {
        threadId: thread.remoteThreadId,
      });
    });
  }

  protected override sourceRequest(response: DebugProtocol.SourceResponse, args: DebugProtocol.SourceArguments): void {
    const source = this.handles.sourceOf(args.source?.sourceReference ?? args.sourceReference);
    if (!source) return super.sourceRequest(response, args);
    void this.respondPython(response, async () => {
      response.body = await source.thread.request<DebugProtocol.SourceResponse['body']>('source', {
        sourceReference: source.remote,
        source: { sourceReference: source.remote },
      });
    });
  }

  // ---- ending -----------------------------------------------------------------------------------

  protected override terminateRequest(response: DebugProtocol.TerminateResponse): void {
    void this.endPython().then(() => super.terminateRequest(response));
  }

  protected override disconnectRequest(response: DebugProtocol.DisconnectResponse, args: DebugProtocol.DisconnectArguments): void {
    void this.endPython().then(() => super.disconnectRequest(response, args));
  }

  /** Lets every Python environment go: debugpy detaches and the process serves on without it. */
  private async endPython(): Promise<void> {
    if (this.pyEnding) return;
    this.pyEnding = true;
    for (const dispose of this.pyDisposers.splice(0)) dispose();
    const runtime = this.pyRuntime;
    await Promise.all(
      [...this.pyThreads.values()].map(async (thread) => {
        await thread.detach();
        runtime?.setDebuggerAttached(thread.environment.id, false);
      }),
    );
  }

  // ---- plumbing ---------------------------------------------------------------------------------

  private note(text: string, category: string): void {
    this.sendEvent(new OutputEvent(text, category));
  }

  private async respondPython(response: DebugProtocol.Response, work: () => Promise<unknown>): Promise<void> {
    try {
      await work();
      this.sendResponse(response);
    } catch (err) {
      this.sendErrorResponse(response, {
        id: 1002,
        format: '{_message}',
        variables: { _message: (err as Error).message },
        showUser: false,
      });
    }
  }
}
