// The Debug Adapter: DAP requests on one side, the local runtime and the inspectors of its
// handler processes on the other. Threads are execution environments; a session lives across
// cold and warm starts and ends when its invocations are done or the user stops it.
import * as path from 'node:path';
import {
  BreakpointEvent,
  InitializedEvent,
  LoggingDebugSession,
  OutputEvent,
  Scope,
  Source,
  StackFrame,
  StoppedEvent,
  TerminatedEvent,
  Thread,
  ThreadEvent,
} from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { familyOf } from '../runtime/families/runtimeFamilies';
import type { FunctionConfig } from '../runtime/functionConfig';
import type { LocalRuntime } from '../runtime/localRuntime';
import type { EnvironmentInfo, InvokeResult, LogRecord, RuntimeEvents, StopReason } from '../runtime/runtimeEvents';
import { BreakpointRegistry, type UserBreakpoint } from './breakpoints';
import { CdpConnection } from './cdp/cdpConnection';
import type { Debugger } from './cdp/cdpProtocol';
import { EnvironmentThread, OBJECT_GROUP, type ExceptionState, type StopInfo, type ThreadListener } from './environmentThread';
import {
  ConfigError,
  commonSettings,
  invocationCount,
  launchPayload,
  type AttachArguments,
  type LaunchArguments,
  type SessionSettings,
} from './launchConfig';
import type { RuntimeHost } from './runtimeHost';
import { skipGlobToUrlRegex } from './scriptPaths';
import { SourceMapCache } from './sourceMaps';
import { VariableStore, exceptionText } from './variables';

/** Custom request: invoke a debugged function through this session's runtime (standalone adapter, tests). */
export const INVOKE_REQUEST = 'lambdaLab.invoke';

export interface InvokeRequestArguments {
  /** Default: the launched function. */
  function?: string;
  /** The event, any JSON value; default `{}`. */
  payload?: unknown;
  qualifier?: string;
}

/** How long launch waits for configurationDone before invoking anyway. */
const CONFIGURATION_WAIT_MS = 3000;
/** How long setBreakpoints waits for running processes to bind before answering. */
const BIND_WAIT_MS = 1000;

const STOP_REASONS: Record<StopReason, string> = {
  idle: 'reaped after being idle',
  timeout: 'the invocation timed out',
  crash: 'the process exited',
  'out-of-memory': 'it ran out of memory',
  'init-error': 'init failed',
  'code-changed': 'the code changed',
  stopped: 'it was stopped',
  'config-changed': 'the configuration changed',
};

const SCOPE_NAMES: Record<Debugger.Scope['type'], string> = {
  local: 'Local',
  closure: 'Closure',
  block: 'Block',
  module: 'Module',
  script: 'Script',
  global: 'Global',
  catch: 'Catch',
  with: 'With',
  eval: 'Eval',
  'wasm-expression-stack': 'Expression stack',
};

type Matcher = (fn: { functionName: string }) => boolean;

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class LambdaDebugSession extends LoggingDebugSession implements ThreadListener {
  private runtime: LocalRuntime | undefined;
  private settings: SessionSettings | undefined;
  private matches: Matcher = () => false;
  private mode: 'launch' | 'attach' | undefined;
  private launched: FunctionConfig | undefined;
  private readonly registry = new BreakpointRegistry();
  private readonly maps = new SourceMapCache();
  private readonly variables = new VariableStore();
  private readonly threads = new Map<number, EnvironmentThread>();
  private readonly threadByEnvironment = new Map<string, EnvironmentThread>();
  private readonly frames = new Map<number, { thread: EnvironmentThread; frame: Debugger.CallFrame }>();
  private readonly scriptSources = new Map<number, { thread: EnvironmentThread; scriptId: string }>();
  private nextThreadId = 1;
  /** Frame ids and source references: fresh numbers per pause, never reused. */
  private nextHandle = 1;
  private exceptionState: ExceptionState = 'none';
  private readonly disposers: Array<() => void> = [];
  private readonly invokeAbort = new AbortController();
  private ending = false;
  private configurationDone!: () => void;
  private readonly configured = new Promise<void>((resolve) => (this.configurationDone = resolve));

  constructor(private readonly host: RuntimeHost) {
    super();
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
  }

  // ---- lifecycle -------------------------------------------------------------------------

  protected override initializeRequest(response: DebugProtocol.InitializeResponse): void {
    response.body = {
      supportsConfigurationDoneRequest: true,
      supportsConditionalBreakpoints: true,
      supportsHitConditionalBreakpoints: true,
      supportsLogPoints: true,
      supportsEvaluateForHovers: true,
      supportsSetVariable: true,
      supportsTerminateRequest: true,
      supportTerminateDebuggee: true,
      supportsExceptionInfoRequest: true,
      exceptionBreakpointFilters: [
        { filter: 'all', label: 'All Exceptions', default: false },
        // V8's meaning: nothing catches it. Errors a handler throws are caught by the runtime (as in Lambda).
        { filter: 'uncaught', label: 'Uncaught Exceptions', default: false },
      ],
    };
    this.sendResponse(response);
    this.sendEvent(new InitializedEvent());
  }

  protected override configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): void {
    this.configurationDone();
    this.sendResponse(response);
  }

  protected override launchRequest(response: DebugProtocol.LaunchResponse, args: LaunchArguments): void {
    void this.handle(response, async () => {
      const settings = commonSettings(args);
      const count = invocationCount(args);
      const payload = await launchPayload(args, settings.cwd);
      if (typeof args.function !== 'string' || !args.function) {
        throw new ConfigError('"function" is required: the logical id or FunctionName of the function to debug.');
      }
      const runtime = await this.loadRuntime(settings);
      const fn = runtime.getFunction(args.function);
      if (!fn) throw new ConfigError(this.unknownFunctionMessage(runtime, args.function));
      if (familyOf(fn.runtime)?.debugBridge === 'none') {
        this.output(`${fn.functionName} runs on ${fn.runtime}: only Node.js and Python functions can be debugged, so its invocations run without breakpoints.\n`, 'important');
      }
      this.mode = 'launch';
      this.launched = fn;
      this.startDebugging(runtime, settings, (f) => f.functionName === fn.functionName);
      // Warm environments started without a debugger would serve our invokes: start afresh.
      await runtime.stopEnvironments(fn.functionName);
      await this.refreshBreakpointMessages();
      await Promise.race([this.configured, delay(CONFIGURATION_WAIT_MS)]);
      void this.runInvocations(runtime, fn, payload, count);
    });
  }

  protected override attachRequest(response: DebugProtocol.AttachResponse, args: AttachArguments): void {
    void this.handle(response, async () => {
      const settings = commonSettings(args);
      const runtime = await this.loadRuntime(settings);
      const wanted = args.functions === undefined || args.functions === 'all' ? undefined : args.functions;
      if (wanted !== undefined && (!Array.isArray(wanted) || wanted.some((w) => typeof w !== 'string'))) {
        throw new ConfigError('"functions" must be a list of function names or logical ids, or "all".');
      }
      const names = new Set<string>();
      for (const w of wanted ?? []) {
        const fn = runtime.getFunction(w);
        if (!fn) throw new ConfigError(this.unknownFunctionMessage(runtime, w));
        names.add(fn.functionName);
      }
      this.mode = 'attach';
      this.startDebugging(runtime, settings, (f) => wanted === undefined || names.has(f.functionName));
      await this.refreshBreakpointMessages();
      let undebuggable = 0;
      for (const env of runtime.environments()) {
        if (!this.matches(env) || env.state === 'stopped') continue;
        if (env.inspectorUrl) void this.attachEnvironment(env);
        else undebuggable++;
      }
      if (undebuggable > 0) {
        this.output(
          `${undebuggable} execution environment(s) started before the debugger attached and run without it; ` +
            'new environments (next cold start) are debugged. Stop the running environments to debug every invoke.\n',
          'console',
        );
      }
    });
  }

  protected override terminateRequest(response: DebugProtocol.TerminateResponse): void {
    void this.handle(response, async () => {
      await this.endDebugging(this.mode === 'launch');
      this.sendEvent(new TerminatedEvent());
    });
  }

  protected override disconnectRequest(response: DebugProtocol.DisconnectResponse, args: DebugProtocol.DisconnectArguments | undefined): void {
    const terminate = this.mode === 'launch' ? args?.terminateDebuggee !== false : args?.terminateDebuggee === true;
    void this.endDebugging(terminate)
      .then(() => this.host.dispose?.())
      .catch((err) => this.output(`Error while ending the session: ${errorMessage(err)}\n`, 'stderr'))
      .finally(() => super.disconnectRequest(response, args ?? {}));
  }

  private async loadRuntime(settings: SessionSettings): Promise<LocalRuntime> {
    try {
      return await this.host.getRuntime(settings.templatePath, { envVarsFile: settings.envVarsFile, cwd: settings.cwd });
    } catch (err) {
      if (err instanceof ConfigError) throw err;
      throw new ConfigError(`Cannot load the template: ${errorMessage(err)}`);
    }
  }

  private unknownFunctionMessage(runtime: LocalRuntime, name: string): string {
    const known = runtime.functions().map((f) => f.logicalId);
    return `Function "${name}" is not defined in the template. ${known.length ? `Functions: ${known.join(', ')}.` : 'The template defines no functions.'} Fix "function" in your launch configuration.`;
  }

  /** Subscribes to the runtime and asks it to start matching environments under the debugger. */
  private startDebugging(runtime: LocalRuntime, settings: SessionSettings, matches: Matcher): void {
    this.runtime = runtime;
    this.settings = settings;
    this.matches = matches;
    const controller = runtime.addDebugController({ shouldDebug: (fn) => matches(fn) });
    this.disposers.push(() => controller.dispose());
    this.listen(runtime, 'environmentInspectorReady', (env) => {
      if (matches(env)) void this.attachEnvironment(env);
    });
    this.listen(runtime, 'environmentStopped', (env, reason) => this.onEnvironmentStopped(env, reason));
    this.listen(runtime, 'log', (record) => {
      if (matches(record)) this.outputLog(record);
    });
  }

  private listen<E extends keyof RuntimeEvents>(runtime: LocalRuntime, event: E, listener: (...args: RuntimeEvents[E]) => void): void {
    runtime.on(event, listener as never);
    this.disposers.push(() => runtime.off(event, listener as never));
  }

  private async runInvocations(runtime: LocalRuntime, fn: FunctionConfig, payload: string, count: number): Promise<void> {
    for (let i = 0; i < count && !this.ending; i++) {
      try {
        this.reportResult(await runtime.invoke(fn.functionName, payload, { signal: this.invokeAbort.signal }));
      } catch (err) {
        if (!this.ending) this.output(`Invoke of ${fn.functionName} failed: ${errorMessage(err)}\n`, 'stderr');
      }
    }
    if (count > 0 && !this.ending) this.sendEvent(new TerminatedEvent());
  }

  private reportResult(result: InvokeResult): void {
    const text = result.payload.toString('utf8');
    if (result.functionError) this.output(`Invocation ${result.requestId} failed: ${text}\n`, 'stderr');
    else this.output(`Invocation ${result.requestId} returned: ${text}\n`, 'console');
  }

  private async endDebugging(terminate: boolean): Promise<void> {
    if (this.ending) return;
    this.ending = true;
    this.invokeAbort.abort();
    for (const dispose of this.disposers.splice(0)) dispose();
    const runtime = this.runtime;
    await Promise.all(
      [...this.threads.values()].map(async (thread) => {
        await thread.detach();
        runtime?.setDebuggerAttached(thread.environment.id, false);
      }),
    );
    if (terminate && runtime && this.launched) await runtime.stopEnvironments(this.launched.functionName);
  }

  // ---- environments = threads -------------------------------------------------------------

  private async attachEnvironment(env: EnvironmentInfo): Promise<void> {
    const { runtime, settings } = this;
    // Inspectors (CDP) only: Python environments' debugpy (DAP) is python/pythonDebugSession's.
    if (!runtime || !settings || !env.inspectorUrl || env.debugBridge !== 'cdp' || this.threadByEnvironment.has(env.id) || this.ending) return;
    runtime.setDebuggerAttached(env.id, true, { suspendTimeout: settings.suspendTimeout });
    const fn = runtime.getFunction(env.functionName);
    const scanned = settings.sourceMaps && fn ? this.maps.scan(fn.codeDir) : Promise.resolve([]);
    let cdp: CdpConnection;
    try {
      cdp = await CdpConnection.connect(env.inspectorUrl);
    } catch (err) {
      this.output(`Cannot debug ${env.functionName} ${env.version} #${env.ordinal}: ${errorMessage(err)}\n`, 'stderr');
      runtime.setDebuggerAttached(env.id, false);
      return;
    }
    const knownMaps = await scanned;
    const thread = new EnvironmentThread(
      this.nextThreadId++,
      env,
      cdp,
      { skipPatterns: settings.skipFiles.map(skipGlobToUrlRegex), sourceMaps: settings.sourceMaps, exceptionState: this.exceptionState, knownMaps },
      this.registry,
      this.maps,
      this,
    );
    this.threads.set(thread.id, thread);
    this.threadByEnvironment.set(env.id, thread);
    this.sendEvent(new ThreadEvent('started', thread.id));
    try {
      await thread.start();
    } catch (err) {
      if (!thread.isEnded) this.output(`Cannot debug ${thread.name}: ${errorMessage(err)}\n`, 'stderr');
    }
  }

  private onEnvironmentStopped(env: EnvironmentInfo, reason: StopReason): void {
    const thread = this.threadByEnvironment.get(env.id);
    if (!thread || thread.isEnded) return;
    if (thread.paused) this.output(`${thread.name} ended while paused: ${STOP_REASONS[reason]}.\n`, 'stderr');
    thread.end();
  }

  stopped(thread: EnvironmentThread, info: StopInfo): void {
    const event = new StoppedEvent(info.reason, thread.id, info.text) as DebugProtocol.StoppedEvent;
    event.body.description = info.description;
    event.body.allThreadsStopped = false;
    if (info.hitBreakpointIds) event.body.hitBreakpointIds = info.hitBreakpointIds;
    this.sendEvent(event);
  }

  ended(thread: EnvironmentThread, wasPaused: boolean): void {
    this.threads.delete(thread.id);
    if (this.threadByEnvironment.get(thread.environment.id) === thread) this.threadByEnvironment.delete(thread.environment.id);
    this.forgetPause(thread);
    for (const [ref, source] of this.scriptSources) if (source.thread === thread) this.scriptSources.delete(ref);
    if (wasPaused && !this.ending) this.output(`${thread.name} ended while paused: its process exited.\n`, 'stderr');
    this.sendEvent(new ThreadEvent('exited', thread.id));
  }

  breakpointBound(bp: UserBreakpoint, line: number): void {
    if (bp.verified && bp.boundLine === line) return;
    bp.verified = true;
    bp.boundLine = line;
    this.sendBreakpointChanged(bp);
  }

  logpoint(bp: UserBreakpoint, text: string): void {
    this.output(`${text}\n`, 'stdout', { path: bp.path, line: bp.line });
  }

  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    response.body = { threads: [...this.threads.values()].map((t) => new Thread(t.id, t.name)) };
    this.sendResponse(response);
  }

  // ---- breakpoints ----------------------------------------------------------------------------

  protected override setBreakPointsRequest(response: DebugProtocol.SetBreakpointsResponse, args: DebugProtocol.SetBreakpointsArguments): void {
    void this.handle(response, async () => {
      if (!args.source.path) {
        response.body = { breakpoints: [] };
        return;
      }
      const file = path.resolve(args.source.path);
      const specs = (args.breakpoints ?? []).map((b) => ({ ...b, line: this.convertClientLineToDebugger(b.line) }));
      const change = this.registry.setForSource(file, specs);
      for (const bp of change.added) bp.message ??= await this.unboundMessage(bp);
      const updates = [...this.threads.values()].map((t) => t.updateBreakpoints(change.added, change.removed).catch(() => undefined));
      await Promise.race([Promise.all(updates), delay(BIND_WAIT_MS)]);
      response.body = { breakpoints: change.all.map((bp) => this.toClientBreakpoint(bp)) };
    });
  }

  protected override setExceptionBreakPointsRequest(
    response: DebugProtocol.SetExceptionBreakpointsResponse,
    args: DebugProtocol.SetExceptionBreakpointsArguments,
  ): void {
    this.exceptionState = args.filters.includes('all') ? 'all' : args.filters.includes('uncaught') ? 'uncaught' : 'none';
    for (const thread of this.threads.values()) void thread.setExceptionState(this.exceptionState);
    this.sendResponse(response);
  }

  private toClientBreakpoint(bp: UserBreakpoint): DebugProtocol.Breakpoint {
    const dap = BreakpointRegistry.toDap(bp);
    if (dap.line !== undefined) dap.line = this.convertDebuggerLineToClient(dap.line);
    return dap;
  }

  private sendBreakpointChanged(bp: UserBreakpoint): void {
    this.sendEvent(new BreakpointEvent('changed', this.toClientBreakpoint(bp)));
  }

  /** Why a breakpoint is not bound yet: waiting for a cold start, or a file the function does not contain. */
  private async unboundMessage(bp: UserBreakpoint): Promise<string> {
    const functions = this.debuggedFunctions();
    if (functions.length === 0) return 'Binds when the debugged function loads this file.';
    for (const fn of functions) {
      const folders = [fn.codeDir, fn.build?.sourceDir].filter((d): d is string => !!d);
      if (folders.some((d) => bp.path.startsWith(d + path.sep))) return `Binds when ${fn.functionName} loads this file (next cold start).`;
      if (this.settings?.sourceMaps && (await this.maps.scan(fn.codeDir)).some((m) => m.hasSource(bp.path))) {
        return `Binds when ${fn.functionName} loads this file (next cold start).`;
      }
    }
    const names = functions.map((f) => f.functionName).join(', ');
    return `${bp.path} is not part of the code of ${names}; this breakpoint binds only if that code loads the file.`;
  }

  private debuggedFunctions(): FunctionConfig[] {
    return this.runtime?.functions().filter((f) => this.matches(f)) ?? [];
  }

  /** Breakpoints set before launch knew the function: tell the client which files it does not contain. */
  private async refreshBreakpointMessages(): Promise<void> {
    for (const bp of this.registry.all()) {
      if (bp.verified || !BreakpointRegistry.isBindable(bp)) continue;
      const message = await this.unboundMessage(bp);
      if (message === bp.message) continue;
      bp.message = message;
      this.sendBreakpointChanged(bp);
    }
  }

  // ---- execution control ---------------------------------------------------------------------

  protected override continueRequest(response: DebugProtocol.ContinueResponse, args: DebugProtocol.ContinueArguments): void {
    void this.handle(response, async () => {
      const thread = this.thread(args.threadId);
      this.forgetPause(thread);
      await thread.resume();
      response.body = { allThreadsContinued: false };
    });
  }

  protected override nextRequest(response: DebugProtocol.NextResponse, args: DebugProtocol.NextArguments): void {
    this.stepRequest(response, args.threadId, 'Debugger.stepOver');
  }

  protected override stepInRequest(response: DebugProtocol.StepInResponse, args: DebugProtocol.StepInArguments): void {
    this.stepRequest(response, args.threadId, 'Debugger.stepInto');
  }

  protected override stepOutRequest(response: DebugProtocol.StepOutResponse, args: DebugProtocol.StepOutArguments): void {
    this.stepRequest(response, args.threadId, 'Debugger.stepOut');
  }

  private stepRequest(response: DebugProtocol.Response, threadId: number, kind: 'Debugger.stepOver' | 'Debugger.stepInto' | 'Debugger.stepOut'): void {
    void this.handle(response, async () => {
      const thread = this.thread(threadId);
      this.forgetPause(thread);
      await thread.step(kind);
    });
  }

  protected override pauseRequest(response: DebugProtocol.PauseResponse, args: DebugProtocol.PauseArguments): void {
    void this.handle(response, () => this.thread(args.threadId).pause());
  }

  private thread(threadId: number): EnvironmentThread {
    const thread = this.threads.get(threadId);
    if (!thread) throw new Error(`Thread ${threadId} has ended: its execution environment is gone.`);
    return thread;
  }

  /** Frames, variables and scripts handed out for a pause are invalid once the thread runs again. */
  private forgetPause(thread: EnvironmentThread): void {
    this.variables.release(thread);
    for (const [id, f] of this.frames) if (f.thread === thread) this.frames.delete(id);
  }

  // ---- inspection ----------------------------------------------------------------------------

  protected override stackTraceRequest(response: DebugProtocol.StackTraceResponse, args: DebugProtocol.StackTraceArguments): void {
    void this.handle(response, async () => {
      const thread = this.thread(args.threadId);
      const callFrames = thread.paused?.callFrames ?? [];
      const start = args.startFrame ?? 0;
      const end = args.levels ? start + args.levels : callFrames.length;
      const stackFrames = await Promise.all(
        callFrames.slice(start, end).map(async (frame) => {
          const id = this.nextHandle++;
          this.frames.set(id, { thread, frame });
          const where = await thread.userLocation(frame.location);
          const source = new Source(where.name, where.path);
          if (where.scriptId !== undefined) {
            source.sourceReference = this.nextHandle++;
            this.scriptSources.set(source.sourceReference, { thread, scriptId: where.scriptId });
          }
          if (where.skipped) (source as DebugProtocol.Source).presentationHint = 'deemphasize';
          const sf = new StackFrame(id, frame.functionName || '(anonymous)', source, this.convertDebuggerLineToClient(where.line), this.convertDebuggerColumnToClient(where.column));
          if (where.skipped) (sf as DebugProtocol.StackFrame).presentationHint = 'subtle';
          return sf;
        }),
      );
      response.body = { stackFrames, totalFrames: callFrames.length };
    });
  }

  protected override scopesRequest(response: DebugProtocol.ScopesResponse, args: DebugProtocol.ScopesArguments): void {
    void this.handle(response, async () => {
      const entry = this.frames.get(args.frameId);
      if (!entry) throw new Error('This stack frame is no longer available: the environment has resumed.');
      const { thread, frame } = entry;
      const scopes = frame.scopeChain.flatMap((scope, index) => {
        if (!scope.object.objectId) return [];
        const extras: DebugProtocol.Variable[] = [];
        if (scope.type === 'local') {
          if (frame.this.type !== 'undefined') extras.push(this.variables.toVariable(thread, 'this', frame.this, 'this'));
          if (frame.returnValue) extras.push(this.variables.toVariable(thread, 'Return value', frame.returnValue));
        }
        const ref = this.variables.addScope(thread, scope.object.objectId, frame.callFrameId, index, extras);
        const name = SCOPE_NAMES[scope.type] + (scope.type === 'closure' && scope.name ? `: ${scope.name}` : '');
        const s = new Scope(name, ref, scope.type === 'global') as DebugProtocol.Scope;
        if (scope.type === 'local') s.presentationHint = 'locals';
        return [s];
      });
      response.body = { scopes };
    });
  }

  protected override variablesRequest(response: DebugProtocol.VariablesResponse, args: DebugProtocol.VariablesArguments): void {
    void this.handle(response, async () => {
      response.body = { variables: await this.variables.variables(args) };
    });
  }

  protected override setVariableRequest(response: DebugProtocol.SetVariableResponse, args: DebugProtocol.SetVariableArguments): void {
    void this.handle(response, async () => {
      const v = await this.variables.setVariable(args);
      response.body = { value: v.value, type: v.type, variablesReference: v.variablesReference, indexedVariables: v.indexedVariables, namedVariables: v.namedVariables };
    });
  }

  protected override evaluateRequest(response: DebugProtocol.EvaluateResponse, args: DebugProtocol.EvaluateArguments): void {
    void this.handle(response, async () => {
      const entry = args.frameId !== undefined ? this.frames.get(args.frameId) : undefined;
      if (args.frameId !== undefined && !entry) throw new Error('This stack frame is no longer available: the environment has resumed.');
      const threads = [...this.threads.values()];
      const thread = entry?.thread ?? threads.find((t) => t.paused) ?? threads[0];
      if (!thread) throw new Error('No execution environment of the debugged function is running: invoke the function first.');
      // Hovers and watches must not change the program; the REPL may.
      const common = {
        expression: args.expression,
        objectGroup: OBJECT_GROUP,
        generatePreview: true,
        throwOnSideEffect: args.context === 'hover' || args.context === 'watch',
        includeCommandLineAPI: args.context === 'repl',
      };
      const r = entry
        ? await thread.cdp.send('Debugger.evaluateOnCallFrame', { ...common, callFrameId: entry.frame.callFrameId })
        : await thread.cdp.send('Runtime.evaluate', common);
      if (r.exceptionDetails) throw new Error(exceptionText(r.exceptionDetails));
      const v = this.variables.toVariable(thread, '', r.result, args.expression);
      response.body = { result: v.value, type: v.type, variablesReference: v.variablesReference, indexedVariables: v.indexedVariables, namedVariables: v.namedVariables };
    });
  }

  protected override exceptionInfoRequest(response: DebugProtocol.ExceptionInfoResponse, args: DebugProtocol.ExceptionInfoArguments): void {
    void this.handle(response, async () => {
      const paused = this.thread(args.threadId).paused;
      const data = paused?.data;
      if (!paused || (paused.reason !== 'exception' && paused.reason !== 'promiseRejection') || !data) {
        throw new Error('This thread is not paused on an exception.');
      }
      const description = data.description ?? String(data.value);
      response.body = {
        exceptionId: data.className ?? data.type,
        description: description.split('\n')[0],
        breakMode: data.uncaught ? 'unhandled' : 'always',
        details: { message: description.split('\n')[0], typeName: data.className, stackTrace: description },
      };
    });
  }

  protected override sourceRequest(response: DebugProtocol.SourceResponse, args: DebugProtocol.SourceArguments): void {
    void this.handle(response, async () => {
      const entry = this.scriptSources.get(args.source?.sourceReference ?? args.sourceReference);
      if (!entry) throw new Error('This source is no longer available: its environment has ended.');
      const r = await entry.thread.cdp.send('Debugger.getScriptSource', { scriptId: entry.scriptId });
      response.body = { content: r.scriptSource, mimeType: 'text/javascript' };
    });
  }

  protected override customRequest(command: string, response: DebugProtocol.Response, args: unknown): void {
    if (command !== INVOKE_REQUEST) {
      super.customRequest(command, response, args);
      return;
    }
    void this.handle(response, async () => {
      const a = (args ?? {}) as InvokeRequestArguments;
      const name = a.function ?? this.launched?.functionName;
      if (!this.runtime || !name) throw new Error(`${INVOKE_REQUEST} needs a launched session or a "function" argument.`);
      const result = await this.runtime.invoke(name, JSON.stringify(a.payload ?? {}), { qualifier: a.qualifier, signal: this.invokeAbort.signal });
      response.body = {
        requestId: result.requestId,
        payload: result.payload.toString('utf8'),
        functionError: result.functionError,
        environmentId: result.environmentId,
        cold: result.cold,
      };
    });
  }

  // ---- output --------------------------------------------------------------------------------

  private outputLog(record: LogRecord): void {
    const category = record.kind === 'platform' ? 'console' : record.level === 'ERROR' || record.level === 'FATAL' ? 'stderr' : 'stdout';
    let where: { path: string; line: number; column?: number } | undefined;
    if (record.source) {
      const mapped = this.settings?.sourceMaps ? this.maps.forGenerated(record.source.file)?.toOriginal(record.source.line, record.source.column - 1) : undefined;
      where = mapped ? { path: mapped.path, line: mapped.line, column: mapped.column + 1 } : record.source.file ? { path: record.source.file, line: record.source.line, column: record.source.column } : undefined;
    }
    this.output(`${record.message}\n`, category, where);
  }

  private output(text: string, category: string, where?: { path: string; line: number; column?: number }): void {
    const event = new OutputEvent(text, category) as DebugProtocol.OutputEvent;
    if (where) {
      event.body.source = new Source(path.basename(where.path), where.path);
      event.body.line = this.convertDebuggerLineToClient(where.line);
      if (where.column !== undefined) event.body.column = this.convertDebuggerColumnToClient(where.column);
    }
    this.sendEvent(event);
  }

  /** Runs a request's work; failures become error responses naming what went wrong. */
  private async handle(response: DebugProtocol.Response, work: () => Promise<unknown>): Promise<void> {
    try {
      await work();
      this.sendResponse(response);
    } catch (err) {
      this.sendErrorResponse(response, { id: 1001, format: '{_message}', variables: { _message: errorMessage(err) }, showUser: err instanceof ConfigError });
    }
  }
}
