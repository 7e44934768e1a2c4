// One execution environment's lifecycle: INIT → READY ⇄ BUSY (frozen while idle) → stopped,
// one invocation at a time as in Lambda, with the init and invoke timeouts. The handler
// process (handlerProcess), its memory (memoryWatch), its log stream (environmentLog) and its
// Runtime API endpoint (runtimeApiServer) are driven through small interfaces, so the state
// machine can be run against fakes.
import * as functionErrors from '../errors/functionErrors';
import { isLaunchFailure, type LaunchFailure, type ProcessLaunch, type RuntimeFamily } from '../families/runtimeFamily';
import type { FunctionConfig } from '../functionConfig';
import type { LogStore } from '../logs/logStore';
import * as platformLog from '../logs/platformLog';
import type { EnvironmentInfo, EnvironmentState, InvocationInfo, InvokeResult, RuntimeEventEmitter, StopReason } from '../runtimeEvents';
import { DebuggerPauses } from './debuggerPauses';
import { EnvironmentExtensions, mapOptPaths, wrappedCommand } from './environmentExtensions';
import { EnvironmentFreezer } from './environmentFreezer';
import { EnvironmentLog } from './environmentLog';
import { invocationEvent } from './invocationEvent';
import { environmentVariables, type InitializationType } from './environmentVariables';
import { spawnHandlerProcess, type HandlerProcess, type OutputChannel, type SpawnHandlerProcess } from './handlerProcess';
import { MemoryWatch } from './memoryWatch';
import { RuntimeApiServer, type RuntimeApiEndpoint, type RuntimeApiHandlers, type RuntimeApiOutcome } from './runtimeApiServer';
import * as telemetryRecords from './telemetryRecords';

/** Lambda's limit on the INIT phase of on-demand functions. */
export const INIT_LIMIT_MS = 10_000;
/** What Lambda's graceful shutdown leaves the runtime before the extensions' turn. */
const GRACEFUL_RUNTIME_MS = 300;
const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

export interface EnvironmentSpec {
  id: string;
  ordinal: number;
  fn: FunctionConfig;
  version: string;
  region: string;
  accountId: string;
  freeze: boolean;
  /** Start with the debugger endpoint open and the bootstrap waiting for a debugger. */
  debug: boolean;
  /** The runtime family that runs fn.runtime, and how it starts this environment's process. */
  family: RuntimeFamily;
  launch: ProcessLaunch | LaunchFailure;
  optDir?: string;
  /** Provisioned environments initialise ahead: their first invocation is no cold start and reports no Init Duration. */
  initializationType?: InitializationType;
  hostAllowlist: string[];
  /** The host variables the allowlist picks from (default process.env). */
  hostEnv?: NodeJS.ProcessEnv;
  logStore: LogStore;
  events: RuntimeEventEmitter;
  /** Starts the handler process (default: a real one; unit tests pass a fake). */
  spawnProcess?: SpawnHandlerProcess;
  /** Opens the Runtime API endpoint (default: a real HTTP server; unit tests pass a fake). */
  openRuntimeApi?: (handlers: RuntimeApiHandlers) => RuntimeApiEndpoint;
}

export interface InvokeRequest {
  requestId: string;
  payload: Buffer;
  clientContext?: string;
  onStreamChunk?: (chunk: Buffer, contentType: string | undefined) => void;
  signal?: AbortSignal;
}

/** The process went away before the invocation was handed to it: safe to run it elsewhere. */
export class EnvironmentLostError extends Error {}

interface Current {
  request: InvokeRequest;
  info: InvocationInfo;
  deliveredAt: number;
  settle: (result: InvokeResult) => void;
  /** Rejects the caller's promise with EnvironmentLostError (only before delivery). */
  lose: () => void;
  /** performance.now() when the answer came in. */
  answeredAt?: number;
  /** Whether the invoke timeout applies (not while a debugger suspends it). */
  timed: boolean;
}

export class ExecutionEnvironment {
  state: EnvironmentState = 'starting';
  private readonly server: RuntimeApiEndpoint;
  private runtimeApi = '';
  private process: HandlerProcess | undefined;
  private readonly log: EnvironmentLog;
  private readonly memory: MemoryWatch;
  private readonly pauses = new DebuggerPauses();
  private inspectorUrl: string | undefined;
  private readonly freezer: EnvironmentFreezer;
  /** External extensions, the Extensions and Telemetry APIs (environmentExtensions). */
  private readonly extensions: EnvironmentExtensions;
  /** While debugged, the invoke timeout is off unless the session asked for it to be enforced. */
  private timeoutSuspended = false;
  private invocations = 0;
  private readonly startedAt = Date.now();
  private initDurationMs: number | undefined;
  private initReported = false;
  private initError: functionErrors.FunctionErrorBody | undefined;
  /** An extension failed after init: the environment ends with this error. */
  private extensionFailure: functionErrors.FunctionErrorBody | undefined;
  private readonly initDone: Promise<void>;
  private resolveInit!: () => void;
  /** The process is gone; onExit is winding the environment down. */
  private exiting = false;
  /** Delivered an event and the runtime client has not polled since. */
  private awaitingPoll = false;
  /** initDone has resolved: a warm invoke is delivered at once, without waiting a promise turn. */
  private initialized = false;
  private current: Current | undefined;
  /** Waiting for the runtime client's next poll before delivery (warm reuse right after a response). */
  private queued: Current | undefined;
  /**
   * The invoke timeout: one timer per environment, re-armed with refresh() on each delivery
   * rather than a new setTimeout/clearTimeout pair per invoke. Unref'd: while an invocation
   * runs, the handler process's pipes keep our process alive anyway.
   */
  private timeoutTimer: NodeJS.Timeout | undefined;
  private outOfMemory = false;
  private stopReason: StopReason | undefined;
  private retireReason: StopReason | undefined;
  /** stopDraining closed the Runtime API: the process is writing out its output and leaving. */
  private draining = false;
  private readonly exited: Promise<void>;
  private resolveExited!: () => void;
  /** The handler process is gone (exited drops extensions only later). */
  private readonly processEnded: Promise<void>;
  private resolveProcessEnded!: () => void;

  constructor(private readonly spec: EnvironmentSpec) {
    this.log = new EnvironmentLog({
      fn: spec.fn,
      version: spec.version,
      environmentId: spec.id,
      logStore: spec.logStore,
      events: spec.events,
    });
    this.memory = new MemoryWatch(
      { residentMB: () => this.process?.residentMB(), peakResidentMB: () => this.process?.peakResidentMB() },
      spec.fn.memorySize,
      () => this.idle,
      () => {
        this.outOfMemory = true;
        this.kill('out-of-memory');
      },
    );
    this.freezer = new EnvironmentFreezer({
      enabled: spec.freeze,
      process: () => this.process,
      idle: () => this.idle,
      onFrozen: () => this.setState('frozen'),
      onThawed: () => this.state === 'frozen' && this.setState('ready'),
    });
    this.initDone = new Promise(
      (resolve) =>
        (this.resolveInit = () => {
          this.initialized = true;
          resolve();
        }),
    );
    this.exited = new Promise((resolve) => (this.resolveExited = resolve));
    this.processEnded = new Promise((resolve) => (this.resolveProcessEnded = resolve));
    this.extensions = new EnvironmentExtensions({
      fn: spec.fn,
      version: spec.version,
      optDir: spec.optDir,
      onLogLine: (line) => this.log.functionLine(line),
      onPlatformLine: (line) => this.log.platform(line),
      onFailure: (errorType, errorMessage, phase) => this.onExtensionFailure(errorType, errorMessage, phase),
      initializing: () => this.state === 'starting' || this.state === 'initializing',
      spawnProcess: spec.spawnProcess,
    });
    const handlers: RuntimeApiHandlers = {
      onNext: () => this.onNext(),
      onOutcome: (o) => this.onOutcome(o),
      onInitError: (payload, errorType) => {
        this.initError = { payload, errorType };
        this.resolveInit();
      },
      onStreamChunk: (requestId, chunk, contentType) => {
        if (this.current?.request.requestId === requestId) this.current.request.onStreamChunk?.(chunk, contentType);
      },
      route: (req, res) => this.extensions.route(req, res),
    };
    this.server = (spec.openRuntimeApi ?? ((h) => new RuntimeApiServer(h)))(handlers);
  }

  get id() {
    return this.spec.id;
  }

  get logStreamName() {
    return this.log.streamName;
  }

  /** True while it can take an invocation without a cold start. */
  get idle(): boolean {
    return (this.state === 'ready' || this.state === 'frozen') && !this.current && !this.queued;
  }

  /** Busy, but its invocation has been answered and the runtime client is about to poll again. */
  get releasing(): boolean {
    return this.state === 'busy' && !this.current && !this.queued;
  }

  get alive(): boolean {
    return this.state !== 'stopped';
  }

  info(): EnvironmentInfo {
    const { fn, version, id, ordinal, debug } = this.spec;
    return {
      id,
      ordinal,
      functionName: fn.functionName,
      logicalId: fn.logicalId,
      version,
      pid: this.process?.pid,
      state: this.state,
      logStreamName: this.log.streamName,
      runtimeApi: this.runtimeApi,
      family: this.spec.family.name,
      debugBridge: this.spec.family.debugBridge,
      inspectorUrl: this.inspectorUrl,
      debug,
      startedAt: this.startedAt,
      invocations: this.invocations,
    };
  }

  /** Resolves when init has ended: true if the function initialised, false if init failed. */
  whenInitialized(): Promise<boolean> {
    return Promise.race([this.initDone.then(() => !this.initError && this.alive), this.exited.then(() => false)]);
  }

  /** Spawns the handler process; init runs on its own and `invoke` waits for it. */
  async start(): Promise<void> {
    const { fn, version, launch } = this.spec;
    this.runtimeApi = await this.server.listen();
    // Stopped while the endpoint was opening (runtime disposed, function recycled): spawn nothing.
    if (this.state === 'stopped') return this.server.close();
    const failed = isLaunchFailure(launch);
    const env = environmentVariables({
      fn,
      version,
      region: this.spec.region,
      runtimeApi: this.runtimeApi,
      logStreamName: this.log.streamName,
      optDir: this.spec.optDir,
      binDir: failed ? undefined : launch.binDir,
      familyEnv: failed ? undefined : launch.env,
      hostEnv: this.spec.hostEnv ?? process.env,
      hostAllowlist: this.spec.hostAllowlist,
      initializationType: this.spec.initializationType,
    });
    mapOptPaths(env, this.spec.optDir);
    this.setState('initializing');
    this.log.platform(platformLog.initStartLine(fn.loggingConfig.logFormat, fn.runtime, new Date()));
    this.extensions.platform('platform.initStart', () => telemetryRecords.initStart(fn, version));
    this.armInitTimeout();
    // Extension init comes first: the runtime starts once every external extension registered.
    if (!failed) await this.extensions.start(env);
    if (!this.alive) return;
    if (failed || this.initError) {
      // Nothing to start (or an extension failed its init): init fails at once, as Lambda's
      // does without a bootstrap.
      if (failed) this.initError = launch.initError;
      this.resolveInit();
    } else {
      const { logFd } = launch;
      const { command, args } = wrappedCommand(this.spec.family.name, env, this.spec.optDir, launch.command, launch.args);
      this.process = (this.spec.spawnProcess ?? spawnHandlerProcess)(
        { command, args, cwd: fn.codeDir, env, logFd },
        { onLine: (channel, line) => this.onLine(channel, line), onExit: (description) => this.onExit(description) },
      );
    }
    this.spec.events.emit('environmentStarted', this.info());
    this.memory.start();
  }

  private armInitTimeout() {
    if (this.spec.debug) return;
    const initTimer = setTimeout(() => {
      if (this.state === 'initializing') {
        this.initError = functionErrors.initTimedOut(INIT_LIMIT_MS);
        this.kill('init-error');
      }
    }, INIT_LIMIT_MS);
    void this.initDone.then(() => clearTimeout(initTimer));
  }

  /**
   * Runs one invocation. Cold environments finish init first (its duration is reported apart).
   * Not `async`: the pool's claim on this environment must be synchronous, and a warm invoke
   * is delivered in the caller's own turn.
   */
  invoke(request: InvokeRequest): Promise<InvokeResult> {
    if (!this.alive) return Promise.reject(new EnvironmentLostError(`environment ${this.id} is stopped`));
    // One invocation at a time: a second one here would be a pool bug, never a silent overwrite.
    if (this.queued) return Promise.reject(new EnvironmentLostError(`environment ${this.id} already has an invocation waiting`));
    const cold = this.invocations === 0 && this.spec.initializationType !== 'provisioned-concurrency';
    this.invocations++;
    const info: InvocationInfo = {
      requestId: request.requestId,
      functionName: this.spec.fn.functionName,
      version: this.spec.version,
      environmentId: this.id,
      cold,
      startedAt: Date.now(),
    };
    return new Promise<InvokeResult>((resolve, reject) => {
      const lose = () => reject(new EnvironmentLostError(`environment ${this.id} stopped before the invocation started`));
      const entry: Current = { request, info, deliveredAt: 0, settle: resolve, lose, timed: false };
      this.queued = entry;
      request.signal?.addEventListener(
        'abort',
        () => {
          if (this.queued === entry) this.dropQueued();
          else if (this.current === entry) this.kill('stopped');
        },
        { once: true },
      );
      if (this.initialized) this.tryDeliver();
      else void this.initDone.then(() => this.tryDeliver());
    });
  }

  /** The queued invocation will not start here (the process is gone, or the caller gave up): the pool may place it elsewhere. */
  private dropQueued() {
    const entry = this.queued;
    if (!entry) return;
    this.queued = undefined;
    entry.lose();
  }

  private tryDeliver() {
    const entry = this.queued;
    if (!entry || this.current || !this.alive) return;
    if (this.initError) return this.failInit(entry);
    if (this.state === 'initializing' || (this.state === 'busy' && !this.server.polling)) return;
    this.queued = undefined;
    this.current = entry;
    const owedContinue = this.freezer.markThawed();
    this.setState('busy');
    const { fn, version, accountId, region } = this.spec;
    const { request } = entry;
    entry.deliveredAt = performance.now();
    this.awaitingPoll = true;
    this.spec.events.emit('invocationStarted', entry.info);
    this.log.startTail(request.requestId);
    this.log.platform(platformLog.startLine(fn.loggingConfig.logFormat, request.requestId, version, new Date()), request.requestId);
    const event = invocationEvent(request, { fn, version, region, accountId });
    this.server.deliver(event);
    this.extensions.invoke(event);
    this.extensions.platform('platform.start', () => telemetryRecords.start(event, version));
    // SIGCONT after the event is written: the process wakes once, with its event already
    // waiting, rather than waking to an empty socket and again when the event lands.
    if (owedContinue) this.process?.thaw();
    this.memory.start();
    if (!this.timeoutSuspended) this.armTimeout(entry);
  }

  private armTimeout(entry: Current) {
    entry.timed = true;
    if (this.timeoutTimer) {
      this.timeoutTimer.refresh();
      return;
    }
    this.timeoutTimer = setTimeout(() => {
      if (this.current?.timed) this.onTimeout(this.current);
    }, this.spec.fn.timeout * 1000);
    this.timeoutTimer.unref();
  }

  private onNext() {
    if (this.state === 'initializing') {
      this.extensions.platform('platform.initRuntimeDone', () => telemetryRecords.initRuntimeDone());
      // Init ends when the runtime and every extension have asked for their next event.
      this.extensions.whenReady(() => this.endInit());
      return;
    }
    this.awaitingPoll = false;
    this.afterInvocation();
  }

  private endInit() {
    if (this.state !== 'initializing') return;
    this.initDurationMs = Date.now() - this.startedAt;
    this.extensions.platform('platform.initReport', () => telemetryRecords.initReport(this.initDurationMs!));
    this.extensions.logInit();
    this.log.endInit();
    // One reading at the end of init: a process that crashes before the first poll of its
    // memory still reports what it used.
    this.memory.sample();
    this.setState('ready');
    this.resolveInit();
    if (!this.queued) this.freezer.freezeAfterGrace();
  }

  /**
   * Once the invocation is finished and the client has polled again (in either order: a
   * pipelining client's poll can be in before its answer is processed), the environment is
   * ready: it takes the waiting invocation, else it freezes.
   */
  private afterInvocation() {
    if (this.state !== 'busy' || this.current || this.awaitingPoll || this.exiting) return;
    this.setState('ready');
    if (this.queued) this.tryDeliver();
    else this.freezer.freezeAfterGrace();
  }

  private onOutcome(o: RuntimeApiOutcome) {
    const entry = this.current;
    if (!entry || entry.request.requestId !== o.requestId) return;
    entry.answeredAt = performance.now();
    // The deadline is absolute: an answer that comes after it, before our own busy loop got
    // round to the timeout, is a timeout all the same.
    if (entry.timed && entry.answeredAt - entry.deliveredAt >= this.spec.fn.timeout * 1000) return this.onTimeout(entry);
    this.extensions.platform('platform.runtimeDone', () => telemetryRecords.runtimeDone(o, entry.answeredAt! - entry.deliveredAt));
    if (!this.extensions.allReady) {
      // Extensions still at work on this invocation: it ends when they are done, within the
      // same timeout, and their time counts in its Duration (PostRuntimeExtensionsDuration).
      this.extensions.whenReady(() => {
        if (this.current !== entry) return;
        entry.answeredAt = performance.now();
        entry.timed = false;
        this.onAnswered(entry, o);
      });
      return;
    }
    entry.timed = false;
    // Log records the handler wrote before answering are already in our pipes, but their
    // 'data' may come later in this same poll phase: END and REPORT wait for it (setImmediate
    // runs right after the poll phase), so the handler's lines come first, as in Lambda.
    setImmediate(() => this.onAnswered(entry, o));
  }

  private onAnswered(entry: Current, o: RuntimeApiOutcome) {
    if (o.kind === 'response') {
      this.finish(entry, o.payload, undefined, { streamed: o.streamed });
    } else if (o.kind === 'error') {
      this.finish(entry, o.payload, 'Unhandled', { errorType: o.errorType });
    } else {
      const body = functionErrors.responseTooLarge(o.limit);
      this.finish(entry, body.payload, 'Unhandled', { errorType: body.errorType, status: 'error' });
    }
  }

  private onTimeout(entry: Current) {
    if (this.current !== entry) return;
    const { fn } = this.spec;
    const { requestId } = entry.request;
    this.log.platform(platformLog.timeoutLine(fn.loggingConfig.logFormat, requestId, fn.timeout, new Date()), requestId);
    const body = functionErrors.invokeTimedOut(requestId, fn.timeout);
    this.finish(entry, body.payload, 'Unhandled', { status: 'timeout', errorType: body.errorType });
    this.kill('timeout');
  }

  private finish(
    entry: Current,
    payload: Buffer,
    functionError: InvokeResult['functionError'],
    extra: { streamed?: boolean; status?: 'timeout' | 'error'; errorType?: string },
  ) {
    if (this.current !== entry) return;
    this.current = undefined;
    entry.timed = false;
    const { fn, version } = this.spec;
    const endedAt = entry.answeredAt ?? performance.now();
    const durationMs = entry.deliveredAt ? endedAt - entry.deliveredAt : 0;
    const pausedMs = entry.deliveredAt ? this.pauses.takeWithin(entry.deliveredAt, endedAt) : 0;
    const initDurationMs = entry.info.cold ? this.initDurationMs : undefined;
    const maxMemoryUsedMB = this.memory.maxUsedMB();
    const status = extra.status ?? (functionError ? 'error' : undefined);
    const metrics: platformLog.ReportMetrics = {
      durationMs,
      billedDurationMs: platformLog.billedDuration(durationMs, initDurationMs),
      memorySizeMB: fn.memorySize,
      maxMemoryUsedMB,
      initDurationMs,
      status: extra.status ?? (status && extra.errorType?.startsWith('Runtime.') ? 'error' : undefined),
      errorType: extra.status || extra.errorType?.startsWith('Runtime.') ? extra.errorType : undefined,
    };
    const format = fn.loggingConfig.logFormat;
    const { requestId } = entry.request;
    const now = new Date();
    this.log.platform(platformLog.endLine(format, requestId, status ?? 'success', now), requestId);
    this.log.platform(platformLog.reportLine(format, requestId, metrics, now), requestId);
    this.extensions.platform('platform.report', () => telemetryRecords.report(requestId, status, metrics));
    const result: InvokeResult = {
      requestId,
      payload,
      functionError,
      streamed: extra.streamed || undefined,
      cold: entry.info.cold,
      environmentId: this.id,
      version,
      durationMs,
      pausedMs: pausedMs > 0 ? pausedMs : undefined,
      billedDurationMs: metrics.billedDurationMs,
      initDurationMs,
      maxMemoryUsedMB,
      memorySizeMB: fn.memorySize,
      logTail: this.log.takeTail(),
    };
    this.spec.events.emit('invocationEnded', entry.info, result);
    entry.settle(result);
    if (this.retireReason && !this.queued) this.kill(this.retireReason);
    else this.afterInvocation();
  }

  /** Init failed (init/error, exit, init timeout): the invocation that waited for it fails with that error. */
  private failInit(entry: Current) {
    this.queued = undefined;
    this.current = entry;
    entry.deliveredAt = performance.now();
    const { fn } = this.spec;
    const error = this.initError!;
    this.initDurationMs ??= Date.now() - this.startedAt;
    if (!this.initReported) {
      this.initReported = true;
      this.extensions.logInit();
      this.log.platform(platformLog.initReportLine(fn.loggingConfig.logFormat, this.initDurationMs, error.errorType, new Date()));
    }
    this.log.endInit();
    this.spec.events.emit('invocationStarted', entry.info);
    this.log.startTail(entry.request.requestId, true);
    this.log.platform(
      platformLog.startLine(fn.loggingConfig.logFormat, entry.request.requestId, this.spec.version, new Date()),
      entry.request.requestId,
    );
    this.finish(entry, error.payload, 'Unhandled', { status: 'error', errorType: error.errorType });
    this.kill('init-error');
  }

  private onExit(description: string) {
    this.resolveProcessEnded();
    if (this.state === 'stopped') return;
    this.exiting = true;
    const reason: StopReason =
      this.stopReason ?? (this.outOfMemory ? 'out-of-memory' : this.state === 'initializing' ? 'init-error' : 'crash');
    if (this.state === 'initializing' && !this.initError) this.initError = functionErrors.runtimeExited(description);
    if (this.initError && this.state === 'initializing') {
      this.state = 'ready';
      this.resolveInit();
      if (this.queued) this.tryDeliver();
    }
    const entry = this.current;
    if (entry) {
      const { requestId } = entry.request;
      const body = this.extensionFailure ?? functionErrors.runtimeExited(description, { requestId, outOfMemory: this.outOfMemory });
      if (!this.extensionFailure) this.log.platform(platformLog.runtimeExitLine(requestId, description), requestId);
      this.finish(entry, body.payload, 'Unhandled', { status: 'error', errorType: body.errorType });
    }
    this.memory.end();
    clearTimeout(this.timeoutTimer);
    this.freezer.end();
    this.state = 'stopped';
    this.dropQueued();
    this.spec.events.emit('environmentStopped', this.info(), reason);
    // Extensions get their SHUTDOWN (and the endpoint stays open for them) before it all ends.
    void this.extensions.shutdown(reason).then(() => {
      this.server.close();
      this.log.close();
      this.resolveExited();
    });
  }

  /**
   * An extension failed (Extension.*): init fails with its error, or the environment ends and
   * the running invocation fails with it.
   */
  private onExtensionFailure(errorType: string, errorMessage: string, phase: 'init' | 'invoke') {
    if (!this.alive) return;
    const body = { errorType, payload: Buffer.from(JSON.stringify({ errorType, errorMessage })) };
    if (phase === 'init') {
      this.initError ??= body;
      if (!this.initialized) this.resolveInit();
      return;
    }
    this.extensionFailure ??= body;
    this.kill('crash');
  }

  /** Stops the process (SIGKILL, as Lambda shuts sandboxes down) and waits until it is gone. */
  async stop(reason: StopReason): Promise<void> {
    // Lambda's graceful shutdown: with external extensions, the runtime gets SIGTERM and a
    // moment (300 ms) to end on its own; the extensions then get SHUTDOWN (onExit).
    if (this.process?.terminate && this.extensions.external && !this.current && this.alive) {
      this.stopReason ??= reason;
      this.process.terminate();
      await Promise.race([this.processEnded, delay(GRACEFUL_RUNTIME_MS)]);
    }
    this.kill(reason);
    await this.exited;
  }

  /**
   * Stops after the output the process has queued is written out (`lambda-lab invoke` ending):
   * an environment running no invocation (idle, or answered and not yet polling again) loses
   * its Runtime API, which makes a runtime client exit on its own once it has flushed; one
   * running an invocation is stopped at once.
   */
  async stopDraining(reason: StopReason): Promise<void> {
    // Extensions need the endpoint for their SHUTDOWN: no quiet draining with them.
    if (
      this.current ||
      this.queued ||
      !this.process ||
      this.state === 'initializing' ||
      !this.alive ||
      this.extensions.api.registered.length
    )
      return this.stop(reason);
    this.stopReason ??= reason;
    // Writing out what it queued is no part of an invocation: its memory no longer counts.
    this.memory.end();
    this.freezer.end();
    this.draining = true;
    this.server.close();
    this.process.drain();
    await this.exited;
  }

  /** Stops after the running (and any queued) invocation is answered. */
  async stopWhenIdle(reason: StopReason): Promise<void> {
    if (!this.current && !this.queued) return this.stop(reason);
    this.retireReason = reason;
    await this.exited;
  }

  private kill(reason: StopReason) {
    this.stopReason ??= reason;
    if (!this.process) return this.onExit('exit status 0');
    this.process.kill();
  }

  setDebuggerAttached(attached: boolean, opts: { suspendTimeout?: boolean } = {}) {
    this.timeoutSuspended = attached && opts.suspendTimeout !== false;
    if (attached && this.current && this.timeoutSuspended) this.current.timed = false;
    this.freezer.setDebuggerAttached(attached);
  }

  /** A debugger shows the process stopped (`true`) or lets it run again. */
  setDebuggerPaused(paused: boolean) {
    if (paused) this.pauses.stopped();
    else this.pauses.resumed();
  }

  private setState(state: EnvironmentState) {
    if (this.state === state || this.state === 'stopped') return;
    this.state = state;
    // Two or three transitions per warm invoke: the snapshot is built only for a listener.
    if (this.spec.events.listenerCount('environmentStateChanged')) this.spec.events.emit('environmentStateChanged', this.info());
  }

  private onLine(channel: OutputChannel, line: string) {
    if (channel === 'log') {
      // While draining, the handler's queued stdout and stderr are what matters. The structured
      // channel is written synchronously, so everything on it from before is in already; what
      // comes now is the runtime client's report of its lost Runtime API, which we caused.
      if (!this.draining) {
        this.extensions.functionOutput(channel, line);
        this.log.structuredLine(line);
      }
      return;
    }
    if (channel === 'stderr') {
      const meaning = this.spec.family.stderrMeaning(line);
      if (meaning.kind === 'debugger-ready') {
        this.inspectorUrl = meaning.url;
        this.spec.events.emit('environmentInspectorReady', this.info());
        return;
      }
      if (meaning.kind === 'noise') return;
      if (meaning.kind === 'out-of-memory') this.outOfMemory = true;
    }
    this.extensions.functionOutput(channel, line);
    this.log.functionLine(line);
  }
}
