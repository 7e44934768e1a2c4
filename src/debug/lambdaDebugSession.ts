// The Debug Adapter: DAP requests on one side, the local runtime and its handler processes on
// the other. Threads are execution environments (debugThread); a session lives across cold and
// warm starts and ends when its invocations are done or the user stops it. What a paused Node
// thread shows comes from nodeInspection; configurations from launchConfig; the session's own
// invokes from invokeRequests.
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  BreakpointEvent,
  InitializedEvent,
  LoggingDebugSession,
  OutputEvent,
  Source,
  StoppedEvent,
  TerminatedEvent,
  Thread,
  ThreadEvent,
} from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { familyOf } from '../runtime/families/runtimeFamilies';
import type { FunctionConfig } from '../runtime/functionConfig';
import type { LocalRuntime } from '../runtime/localRuntime';
import type { EnvironmentInfo, RuntimeEvents, StopReason } from '../runtime/runtimeEvents';
import type { UserBreakpoint } from './breakpoints';
import { endedWhilePaused, logOutput, type ConsoleLocation, type ConsoleOutput } from './debugConsole';
import { DurableScopes } from './durableScope';
import type { DebugThread, StepKind, StopInfo, ThreadListener } from './debugThread';
import { INVOKE_REQUEST, invokeFromRequest, runInvocations, type InvokeRequestArguments } from './invokeRequests';
import {
  ConfigError,
  resolveAttach,
  resolveLaunch,
  type AttachArguments,
  type FunctionMatcher,
  type LaunchArguments,
  type SessionSettings,
} from './launchConfig';
import { NodeInspection } from './nodeInspection';
import type { RuntimeHost } from './runtimeHost';
import { skipGlobToUrlRegex } from './scriptPaths';
import { SessionBreakpoints } from './sessionBreakpoints';
import { SessionThreads } from './sessionThreads';
import { SourceMapCache } from './sourceMaps';

/** How long launch waits for configurationDone before invoking anyway. */
const CONFIGURATION_WAIT_MS = 3000;

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class LambdaDebugSession extends LoggingDebugSession implements ThreadListener {
  private runtime: LocalRuntime | undefined;
  private settings: SessionSettings | undefined;
  private matches: FunctionMatcher = () => false;
  private mode: 'launch' | 'attach' | undefined;
  private launched: FunctionConfig | undefined;
  private readonly breakpoints = new SessionBreakpoints({
    threads: () => this.threads.all(),
    debuggedFunctions: () => this.runtime?.functions().filter((f) => this.matches(f)) ?? [],
    mapsCover: async (codeDir, file) => !!this.settings?.sourceMaps && (await this.maps.scan(codeDir)).some((m) => m.hasSource(file)),
    changed: (bp) => this.sendEvent(new BreakpointEvent('changed', this.toClientBreakpoint(bp))),
  });
  private readonly maps = new SourceMapCache();
  private readonly threads = new SessionThreads();
  private readonly inspection = new NodeInspection({
    line: (line) => this.convertDebuggerLineToClient(line),
    column: (column) => this.convertDebuggerColumnToClient(column),
  });
  private readonly durable = new DurableScopes(() => this.runtime);
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
      const { settings, runtime, fn, payload, count } = await resolveLaunch(args, this.host);
      if (familyOf(fn.runtime)?.debugBridge === 'none') {
        this.output(
          `${fn.functionName} runs on ${fn.runtime}: only Node.js and Python functions can be debugged, so its invocations run without breakpoints.\n`,
          'important',
        );
      }
      this.mode = 'launch';
      this.launched = fn;
      this.startDebugging(runtime, settings, (f) => f.functionName === fn.functionName);
      // Warm environments started without a debugger would serve our invokes: start afresh.
      await runtime.stopEnvironments(fn.functionName);
      await this.breakpoints.refreshMessages();
      await Promise.race([this.configured, sleep(CONFIGURATION_WAIT_MS, undefined, { ref: false })]);
      void this.runLaunchInvocations(runtime, fn, payload, count);
    });
  }

  protected override attachRequest(response: DebugProtocol.AttachResponse, args: AttachArguments): void {
    void this.handle(response, async () => {
      const { settings, runtime, matches } = await resolveAttach(args, this.host);
      this.mode = 'attach';
      this.startDebugging(runtime, settings, matches);
      await this.breakpoints.refreshMessages();
      let undebuggable = 0;
      for (const env of runtime.environments()) {
        if (!this.matches(env) || env.state === 'stopped') continue;
        if (SessionThreads.debuggable(env)) void this.attachEnvironment(env);
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

  protected override disconnectRequest(
    response: DebugProtocol.DisconnectResponse,
    args: DebugProtocol.DisconnectArguments | undefined,
  ): void {
    const terminate = this.mode === 'launch' ? args?.terminateDebuggee !== false : args?.terminateDebuggee === true;
    void this.endDebugging(terminate)
      .then(() => this.host.dispose?.())
      .catch((err) => this.output(`Error while ending the session: ${errorMessage(err)}\n`, 'stderr'))
      .finally(() => super.disconnectRequest(response, args ?? {}));
  }

  /** Subscribes to the runtime and asks it to start matching environments under the debugger. */
  private startDebugging(runtime: LocalRuntime, settings: SessionSettings, matches: FunctionMatcher): void {
    this.runtime = runtime;
    this.settings = settings;
    this.matches = matches;
    const controller = runtime.addDebugController({ shouldDebug: (fn) => matches(fn) });
    this.disposers.push(() => controller.dispose());
    this.listen(runtime, 'environmentInspectorReady', (env) => {
      if (matches(env)) void this.attachEnvironment(env);
    });
    this.listen(runtime, 'environmentStopped', (env, reason) => this.onEnvironmentStopped(env, reason));
    this.listen(runtime, 'invocationStarted', (info) => this.durable.invocationStarted(info.environmentId, info.requestId));
    this.listen(runtime, 'invocationEnded', (info) => this.durable.invocationEnded(info.environmentId));
    this.listen(runtime, 'log', (record) => {
      if (!matches(record)) return;
      const { text, category, where } = logOutput(record, this.settings?.sourceMaps ? this.maps : undefined);
      this.output(text, category, where);
    });
  }

  private listen<E extends keyof RuntimeEvents>(runtime: LocalRuntime, event: E, listener: (...args: RuntimeEvents[E]) => void): void {
    runtime.on(event, listener as never);
    this.disposers.push(() => runtime.off(event, listener as never));
  }

  private async runLaunchInvocations(runtime: LocalRuntime, fn: FunctionConfig, payload: string, count: number): Promise<void> {
    await runInvocations(runtime, fn.functionName, payload, count, {
      signal: this.invokeAbort.signal,
      isEnding: () => this.ending,
      output: (text, category) => this.output(text, category),
    });
    if (count > 0 && !this.ending) this.sendEvent(new TerminatedEvent());
  }

  private async endDebugging(terminate: boolean): Promise<void> {
    if (this.ending) return;
    this.ending = true;
    this.invokeAbort.abort();
    for (const dispose of this.disposers.splice(0)) dispose();
    const runtime = this.runtime;
    await Promise.all(
      this.threads.all().map(async (thread) => {
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
    if (
      !runtime ||
      !settings ||
      !SessionThreads.debuggable(env) ||
      env.debugBridge !== 'cdp' ||
      this.threads.ofEnvironment(env.id) ||
      this.ending
    )
      return;
    runtime.setDebuggerAttached(env.id, true, { suspendTimeout: settings.suspendTimeout });
    const fn = runtime.getFunction(env.functionName);
    const knownMaps = settings.sourceMaps && fn ? this.maps.scan(fn.codeDir) : Promise.resolve([]);
    let thread: DebugThread;
    try {
      const threadSettings = {
        skipPatterns: settings.skipFiles.map(skipGlobToUrlRegex),
        sourceMaps: settings.sourceMaps,
        exceptionState: this.breakpoints.exceptionState,
      };
      const parts = { registry: this.breakpoints.registry, maps: this.maps, listener: this };
      thread = await this.threads.connect(env, threadSettings, knownMaps, parts);
    } catch (err) {
      this.output(`Cannot debug ${env.functionName} ${env.version} #${env.ordinal}: ${errorMessage(err)}\n`, 'stderr');
      runtime.setDebuggerAttached(env.id, false);
      return;
    }
    this.sendEvent(new ThreadEvent('started', thread.id));
    try {
      await thread.start();
    } catch (err) {
      if (!thread.isEnded) this.output(`Cannot debug ${thread.name}: ${errorMessage(err)}\n`, 'stderr');
    }
  }

  private onEnvironmentStopped(env: EnvironmentInfo, reason: StopReason): void {
    const thread = this.threads.ofEnvironment(env.id);
    if (!thread || thread.isEnded) return;
    if (thread.isPaused) this.output(endedWhilePaused(thread.name, reason), 'stderr');
    thread.end();
  }

  stopped(thread: DebugThread, info: StopInfo): void {
    const event = new StoppedEvent(info.reason, thread.id, info.text) as DebugProtocol.StoppedEvent;
    event.body.description = info.description;
    event.body.allThreadsStopped = false;
    if (info.hitBreakpointIds) event.body.hitBreakpointIds = info.hitBreakpointIds;
    this.sendEvent(event);
  }

  ended(thread: DebugThread, wasPaused: boolean): void {
    const known = this.threads.remove(thread);
    if (known) this.inspection.forgetThread(known);
    if (wasPaused && !this.ending) this.output(`${thread.name} ended while paused: its process exited.\n`, 'stderr');
    this.sendEvent(new ThreadEvent('exited', thread.id));
  }

  pausedChanged(environmentId: string, paused: boolean): void {
    this.runtime?.setDebuggerPaused(environmentId, paused);
  }

  breakpointBound(bp: UserBreakpoint, line: number): void {
    this.breakpoints.bound(bp, line);
  }

  logpoint(bp: UserBreakpoint, text: string): void {
    this.output(`${text}\n`, 'stdout', { path: bp.path, line: bp.line });
  }

  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    response.body = { threads: this.threads.all().map((t) => new Thread(t.id, this.durable.threadName(t.environment.id, t.name))) };
    this.sendResponse(response);
  }

  // ---- breakpoints ----------------------------------------------------------------------------

  protected override setBreakPointsRequest(
    response: DebugProtocol.SetBreakpointsResponse,
    args: DebugProtocol.SetBreakpointsArguments,
  ): void {
    void this.handle(response, async () => {
      if (!args.source.path) {
        response.body = { breakpoints: [] };
        return;
      }
      const specs = (args.breakpoints ?? []).map((b) => ({ ...b, line: this.convertClientLineToDebugger(b.line) }));
      const breakpoints = await this.breakpoints.setForFile(path.resolve(args.source.path), specs);
      response.body = { breakpoints: breakpoints.map((bp) => this.toClientBreakpoint(bp)) };
    });
  }

  protected override setExceptionBreakPointsRequest(
    response: DebugProtocol.SetExceptionBreakpointsResponse,
    args: DebugProtocol.SetExceptionBreakpointsArguments,
  ): void {
    this.breakpoints.setExceptionFilters(args.filters);
    this.sendResponse(response);
  }

  private toClientBreakpoint(bp: DebugProtocol.Breakpoint): DebugProtocol.Breakpoint {
    return bp.line === undefined ? bp : { ...bp, line: this.convertDebuggerLineToClient(bp.line) };
  }

  // ---- execution control ---------------------------------------------------------------------

  protected override continueRequest(response: DebugProtocol.ContinueResponse, args: DebugProtocol.ContinueArguments): void {
    void this.handle(response, async () => {
      const thread = this.threads.get(args.threadId);
      this.inspection.forgetPause(thread);
      await thread.resume();
      response.body = { allThreadsContinued: false };
    });
  }

  protected override nextRequest(response: DebugProtocol.NextResponse, args: DebugProtocol.NextArguments): void {
    this.stepRequest(response, args.threadId, 'over');
  }

  protected override stepInRequest(response: DebugProtocol.StepInResponse, args: DebugProtocol.StepInArguments): void {
    this.stepRequest(response, args.threadId, 'into');
  }

  protected override stepOutRequest(response: DebugProtocol.StepOutResponse, args: DebugProtocol.StepOutArguments): void {
    this.stepRequest(response, args.threadId, 'out');
  }

  private stepRequest(response: DebugProtocol.Response, threadId: number, kind: StepKind): void {
    void this.handle(response, async () => {
      const thread = this.threads.get(threadId);
      this.inspection.forgetPause(thread);
      await thread.step(kind);
    });
  }

  protected override pauseRequest(response: DebugProtocol.PauseResponse, args: DebugProtocol.PauseArguments): void {
    void this.handle(response, () => this.threads.get(args.threadId).pause());
  }

  // ---- inspection ----------------------------------------------------------------------------

  protected override stackTraceRequest(response: DebugProtocol.StackTraceResponse, args: DebugProtocol.StackTraceArguments): void {
    void this.handle(response, async () => {
      response.body = await this.inspection.stackTrace(this.threads.get(args.threadId), args);
    });
  }

  protected override scopesRequest(response: DebugProtocol.ScopesResponse, args: DebugProtocol.ScopesArguments): void {
    void this.handle(response, async () => {
      const scopes = this.inspection.scopes(args.frameId);
      const thread = this.inspection.threadOfFrame(args.frameId);
      const durable = thread && this.durable.scope(thread.environment.id);
      response.body = { scopes: durable ? [...scopes, durable] : scopes };
    });
  }

  protected override variablesRequest(response: DebugProtocol.VariablesResponse, args: DebugProtocol.VariablesArguments): void {
    void this.handle(response, async () => {
      response.body = { variables: this.durable.variables(args.variablesReference) ?? (await this.inspection.variablesOf(args)) };
    });
  }

  protected override setVariableRequest(response: DebugProtocol.SetVariableResponse, args: DebugProtocol.SetVariableArguments): void {
    void this.handle(response, async () => {
      response.body = await this.inspection.setVariable(args);
    });
  }

  protected override evaluateRequest(response: DebugProtocol.EvaluateResponse, args: DebugProtocol.EvaluateArguments): void {
    void this.handle(response, async () => {
      response.body = await this.inspection.evaluate(args, this.threads.all());
    });
  }

  protected override exceptionInfoRequest(response: DebugProtocol.ExceptionInfoResponse, args: DebugProtocol.ExceptionInfoArguments): void {
    void this.handle(response, async () => {
      response.body = this.inspection.exceptionInfo(this.threads.get(args.threadId));
    });
  }

  protected override sourceRequest(response: DebugProtocol.SourceResponse, args: DebugProtocol.SourceArguments): void {
    void this.handle(response, async () => {
      response.body = await this.inspection.source(args.source?.sourceReference ?? args.sourceReference);
    });
  }

  protected override customRequest(command: string, response: DebugProtocol.Response, args: unknown): void {
    if (command !== INVOKE_REQUEST) {
      super.customRequest(command, response, args);
      return;
    }
    void this.handle(response, async () => {
      response.body = await invokeFromRequest(
        this.runtime,
        this.launched?.functionName,
        (args ?? {}) as InvokeRequestArguments,
        this.invokeAbort.signal,
      );
    });
  }

  // ---- output --------------------------------------------------------------------------------

  private output(text: string, category: ConsoleOutput['category'], where?: ConsoleLocation): void {
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
      this.sendErrorResponse(response, {
        id: 1001,
        format: '{_message}',
        variables: { _message: errorMessage(err) },
        showUser: err instanceof ConfigError,
      });
    }
  }
}
