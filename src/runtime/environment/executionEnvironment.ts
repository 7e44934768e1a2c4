// One execution environment's lifecycle: INIT → READY ⇄ BUSY (frozen while idle) → stopped,
// with the init timeout and the shutdown. Its invocations, one at a time, are
// invocationDelivery's; its extensions are environmentExtensions'. The handler process
// (handlerProcess), its memory (memoryWatch), its log stream (environmentLog) and its Runtime
// API endpoint (runtimeApiServer) are driven through small interfaces, so the state machine
// can be run against fakes.
import { RUNTIME_API_SOCKET_ENV } from '../bootstrap/bootstrapProtocol';
import * as functionErrors from '../errors/functionErrors';
import { isLaunchFailure } from '../families/runtimeFamily';
import * as platformLog from '../logs/platformLog';
import type { EnvironmentInfo, EnvironmentState, InvokeResult, StopReason } from '../runtimeEvents';
import { DebuggerPauses } from './debuggerPauses';
import { EnvironmentExtensions } from './environmentExtensions';
import type { EnvironmentSpec } from './environmentSpec';
import { launchVariables, wrappedCommand } from './environmentLaunch';
import { EnvironmentFreezer } from './environmentFreezer';
import { EnvironmentLog } from './environmentLog';
import { spawnHandlerProcess, type HandlerProcess, type OutputChannel } from './handlerProcess';
import { MemoryWatch } from './memoryWatch';
import { EnvironmentLostError, InvocationDelivery, type DeliveryHost, type InvokeRequest } from './invocationDelivery';
import { RuntimeApiServer, type RuntimeApiEndpoint, type RuntimeApiHandlers } from './runtimeApiServer';
import * as telemetryRecords from './telemetryRecords';

/** Lambda's limit on the INIT phase of on-demand functions. */
export const INIT_LIMIT_MS = 10_000;
/** What Lambda's graceful shutdown leaves the runtime before the extensions' turn. */
const GRACEFUL_RUNTIME_MS = 300;
const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

export type { EnvironmentSpec };

export { EnvironmentLostError, type InvokeRequest };

export class ExecutionEnvironment implements DeliveryHost {
  state: EnvironmentState = 'starting';
  readonly server: RuntimeApiEndpoint;
  private runtimeApi = '';
  private process: HandlerProcess | undefined;
  readonly log: EnvironmentLog;
  readonly memory: MemoryWatch;
  readonly pauses = new DebuggerPauses();
  private inspectorUrl: string | undefined;
  readonly freezer: EnvironmentFreezer;
  /** External extensions, the Extensions and Telemetry APIs (environmentExtensions). */
  readonly extensions: EnvironmentExtensions;
  private readonly delivery: InvocationDelivery;
  private readonly startedAt = Date.now();
  initDurationMs: number | undefined;
  private initReported = false;
  initError: functionErrors.FunctionErrorBody | undefined;
  /** An extension failed after init: the environment ends with this error. */
  private extensionFailure: functionErrors.FunctionErrorBody | undefined;
  private readonly initDone: Promise<void>;
  private resolveInit!: () => void;
  /** The process is gone; onExit is winding the environment down. */
  exiting = false;
  /** initDone has resolved: a warm invoke is delivered at once, without waiting a promise turn. */
  private initialized = false;
  private outOfMemory = false;
  private stopReason: StopReason | undefined;
  retireReason: StopReason | undefined;
  /** stopDraining closed the Runtime API: the process is writing out its output and leaving. */
  private draining = false;
  private readonly exited: Promise<void>;
  private resolveExited!: () => void;
  /** The handler process is gone (exited drops extensions only later). */
  private readonly processEnded: Promise<void>;
  private resolveProcessEnded!: () => void;

  constructor(readonly spec: EnvironmentSpec) {
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
      extensions: () => this.extensions.processes,
      idle: () => this.idle,
      onFrozen: () => {
        this.setState('frozen');
        this.extensions.telemetry.pause();
      },
      onThawed: () => {
        this.extensions.telemetry.resume();
        if (this.state === 'frozen') this.setState('ready');
      },
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
      onFailure: (error, phase) => this.onExtensionFailure(error, phase),
      initializing: () => this.state === 'starting' || this.state === 'initializing',
      spawnProcess: spec.spawnProcess,
    });
    this.delivery = new InvocationDelivery(this);
    const handlers: RuntimeApiHandlers = {
      onNext: () => this.onNext(),
      onOutcome: (o) => this.delivery.onOutcome(o),
      onInitError: (payload, errorType) => {
        this.initError = { payload, errorType };
        this.resolveInit();
      },
      onStreamChunk: (requestId, chunk, contentType) => {
        const request = this.delivery.currentRequest;
        if (request?.requestId === requestId) request.onStreamChunk?.(chunk, contentType);
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
    return (this.state === 'ready' || this.state === 'frozen') && this.delivery.empty;
  }

  /**
   * Busy, but its caller has the answer: the runtime client is about to poll again, or
   * extensions are finishing their work on the invocation. An invocation handed to it waits
   * for both, as Lambda hands an environment no invocation before then.
   */
  get releasing(): boolean {
    return this.state === 'busy' && this.delivery.answered;
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
      invocations: this.delivery.count,
    };
  }

  /** Resolves when init has ended: true if the function initialised, false if init failed. */
  whenInitialized(): Promise<boolean> {
    return Promise.race([this.initDone.then(() => !this.initError && this.alive), this.exited.then(() => false)]);
  }

  /** Spawns the handler process; init runs on its own and `invoke` waits for it. */
  async start(): Promise<void> {
    const { fn, version, launch } = this.spec;
    const failed = isLaunchFailure(launch);
    this.runtimeApi = await this.server.listen({ localSocket: !failed && launch.localRuntimeApi });
    // Stopped while the endpoint was opening (runtime disposed, function recycled): spawn nothing.
    if (this.state === 'stopped') return this.server.close();
    const env = launchVariables(this.spec, this.runtimeApi, this.log.streamName);
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
      // The runtime's own: the extensions got `env` without it.
      const socket = this.server.localSocket;
      const runtimeEnv = socket ? { ...env, [RUNTIME_API_SOCKET_ENV]: socket } : env;
      this.process = (this.spec.spawnProcess ?? spawnHandlerProcess)(
        { command, args, cwd: fn.codeDir, env: runtimeEnv, logFd },
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
    if (this.delivery.hasQueued)
      return Promise.reject(new EnvironmentLostError(`environment ${this.id} already has an invocation waiting`));
    return this.delivery.invoke(request, this.initialized, this.initDone);
  }

  private onNext() {
    if (this.state === 'initializing') {
      this.extensions.platform('platform.initRuntimeDone', () => telemetryRecords.initRuntimeDone());
      // Init ends when the runtime and every extension have asked for their next event.
      this.extensions.whenReady(() => this.endInit());
      return;
    }
    this.delivery.onPoll();
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
    if (!this.delivery.hasQueued) this.freezer.freezeAfterGrace();
  }

  reportFailedInit() {
    this.initDurationMs ??= Date.now() - this.startedAt;
    if (!this.initReported) {
      this.initReported = true;
      this.extensions.logInit();
      const { fn } = this.spec;
      this.log.platform(platformLog.initReportLine(fn.loggingConfig.logFormat, this.initDurationMs, this.initError!.errorType, new Date()));
    }
    this.log.endInit();
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
      this.delivery.tryDeliver();
    }
    this.delivery.onProcessExit(description, this.outOfMemory, this.extensionFailure);
    this.memory.end();
    this.freezer.end();
    this.state = 'stopped';
    this.delivery.dropQueued();
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
  private onExtensionFailure(body: functionErrors.FunctionErrorBody, phase: 'init' | 'invoke') {
    if (!this.alive) return;
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
    if (this.process?.terminate && this.extensions.external && !this.delivery.running && this.alive) {
      this.stopReason ??= reason;
      // No more freezing: an idle environment's freeze, due within its grace, would stop the
      // runtime right after its SIGTERM and before its handler ran.
      this.freezer.end();
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
    // Answered, with extensions still at work on it: the invocation ends as it would in Lambda.
    if (this.delivery.running && this.delivery.answered) return this.stopWhenIdle(reason);
    // Extensions need the endpoint for their SHUTDOWN: no quiet draining with them.
    if (!this.delivery.empty || !this.process || this.state === 'initializing' || !this.alive || this.extensions.api.registered.length)
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
    if (this.delivery.empty) return this.stop(reason);
    this.retireReason = reason;
    await this.exited;
  }

  kill(reason: StopReason) {
    this.stopReason ??= reason;
    if (!this.process) return this.onExit('exit status 0');
    this.process.kill();
  }

  setDebuggerAttached(attached: boolean, opts: { suspendTimeout?: boolean } = {}) {
    this.delivery.suspendTimeout(attached && opts.suspendTimeout !== false);
    this.freezer.setDebuggerAttached(attached);
  }

  /** A debugger shows the process stopped (`true`) or lets it run again. */
  setDebuggerPaused(paused: boolean) {
    if (paused) this.pauses.stopped();
    else this.pauses.resumed();
  }

  setState(state: EnvironmentState) {
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
