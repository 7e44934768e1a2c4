// One execution environment: a handler process, its Runtime API endpoint and its log stream.
// Lifecycle INIT → READY ⇄ BUSY (frozen while idle) → stopped, with Lambda's timeouts,
// memory limit and error shapes. One invocation at a time, as in Lambda.
import { spawn, type ChildProcess } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as readline from 'node:readline';
import type { Readable } from 'node:stream';
import type { BootstrapLogRecord } from '../bootstrap/bootstrapProtocol';
import * as functionErrors from '../errors/functionErrors';
import { isLaunchFailure, type RuntimeFamily } from '../families/runtimeFamily';
import type { FunctionConfig } from '../functionConfig';
import { LogStore, type LogStreamWriter } from '../logs/logStore';
import * as platformLog from '../logs/platformLog';
import type {
  EnvironmentInfo,
  EnvironmentState,
  InvocationInfo,
  InvokeResult,
  LogKind,
  LogRecord,
  RuntimeEventEmitter,
  StopReason,
} from '../runtimeEvents';
import { environmentVariables } from './environmentVariables';
import { peakResidentMB, residentMB } from './processMemory';
import { killTree } from './processTree';
import { RuntimeApiServer, type RuntimeApiOutcome } from './runtimeApiServer';

/** How long an idle environment keeps running before it is frozen (see freezeAfterGrace). */
const FREEZE_GRACE_MS = 2;
/** Lambda's limit on the INIT phase of on-demand functions. */
export const INIT_LIMIT_MS = 10_000;
const MEMORY_POLL_MS = 100;
/** The last 4 KB of an invocation's log are what `LogType: Tail` returns. */
const TAIL_BYTES = 4096;

export interface EnvironmentSpec {
  id: string;
  ordinal: number;
  fn: FunctionConfig;
  version: string;
  region: string;
  accountId: string;
  freeze: boolean;
  /** Start with the inspector open and the bootstrap waiting for a debugger. */
  debug: boolean;
  /** The runtime family that runs fn.runtime. */
  family: RuntimeFamily;
  /** Binaries the user mapped to runtimes. */
  binaries: Record<string, string>;
  optDir?: string;
  hostAllowlist: string[];
  logStore: LogStore;
  events: RuntimeEventEmitter;
}

export interface InvokeRequest {
  requestId: string;
  payload: Buffer;
  clientContext?: string;
  onStreamChunk?: (chunk: Buffer) => void;
  signal?: AbortSignal;
}

/** The process went away before the invocation was handed to it: safe to run it elsewhere. */
export class EnvironmentLostError extends Error {}

interface Current {
  request: InvokeRequest;
  info: InvocationInfo;
  deliveredAt: number;
  tail: string[];
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
  readonly logStreamName: string;
  private readonly server: RuntimeApiServer;
  private runtimeApi = '';
  private child: ChildProcess | undefined;
  private readonly log: LogStreamWriter;
  private inspectorUrl: string | undefined;
  private debuggerAttached = false;
  private freezeTimer: NodeJS.Timeout | undefined;
  /** While debugged, the invoke timeout is off unless the session asked for it to be enforced. */
  private timeoutSuspended = false;
  /** Log lines of the INIT phase: a failed init shows them in the first invocation's tail, as Lambda's re-init does. */
  private readonly initLines: string[] = [];
  private frozen = false;
  private invocations = 0;
  private readonly startedAt = Date.now();
  private initDurationMs: number | undefined;
  private initReported = false;
  private initError: functionErrors.FunctionErrorBody | undefined;
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
  private memoryTimer: NodeJS.Timeout | undefined;
  /**
   * The invoke timeout: one timer per environment, re-armed with refresh() on each delivery
   * rather than a new setTimeout/clearTimeout pair per invoke. Unref'd: while an invocation
   * runs, the handler process's pipes keep our process alive anyway.
   */
  private timeoutTimer: NodeJS.Timeout | undefined;
  private lastRssMB = 0;
  private peakReadAt = 0;
  private peakCachedMB = 0;
  private outOfMemory = false;
  private stopReason: StopReason | undefined;
  private retireReason: StopReason | undefined;
  private exitDescription = '';
  private readonly exited: Promise<void>;
  private resolveExited!: () => void;

  constructor(private readonly spec: EnvironmentSpec) {
    const day = new Date().toISOString().slice(0, 10).replace(/-/g, '/');
    this.logStreamName = `${day}/[${spec.version}]${crypto.randomBytes(16).toString('hex')}`;
    this.log = spec.logStore.openStream(spec.fn.functionName, this.logStreamName);
    this.initDone = new Promise(
      (resolve) =>
        (this.resolveInit = () => {
          this.initialized = true;
          resolve();
        }),
    );
    this.exited = new Promise((resolve) => (this.resolveExited = resolve));
    this.server = new RuntimeApiServer({
      onNext: () => this.onNext(),
      onOutcome: (o) => this.onOutcome(o),
      onInitError: (payload, errorType) => {
        this.initError = { payload, errorType };
        this.resolveInit();
      },
      onStreamChunk: (requestId, chunk) => {
        if (this.current?.request.requestId === requestId) this.current.request.onStreamChunk?.(chunk);
      },
    });
  }

  get id() {
    return this.spec.id;
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
      pid: this.child?.pid,
      state: this.state,
      logStreamName: this.logStreamName,
      runtimeApi: this.runtimeApi,
      inspectorUrl: this.inspectorUrl,
      debug,
      startedAt: this.startedAt,
      invocations: this.invocations,
    };
  }

  /** Spawns the handler process; init runs on its own and `invoke` waits for it. */
  async start(): Promise<void> {
    const { fn, version, debug } = this.spec;
    this.runtimeApi = await this.server.listen();
    // Stopped while the endpoint was opening (runtime disposed, function recycled): spawn nothing.
    if (this.state === 'stopped') return this.server.close();
    const launch = this.spec.family.launch({ fn, optDir: this.spec.optDir, debug, binaries: this.spec.binaries });
    const env = environmentVariables({
      fn,
      version,
      region: this.spec.region,
      runtimeApi: this.runtimeApi,
      logStreamName: this.logStreamName,
      optDir: this.spec.optDir,
      binDir: isLaunchFailure(launch) ? undefined : launch.binDir,
      familyEnv: isLaunchFailure(launch) ? undefined : launch.env,
      hostEnv: process.env,
      hostAllowlist: this.spec.hostAllowlist,
    });
    if (isLaunchFailure(launch)) this.initError = launch.initError;
    const { command, args } = isLaunchFailure(launch) ? { command: '/bin/false', args: [] } : launch;
    this.setState('initializing');
    this.emitPlatform(platformLog.initStartLine(fn.loggingConfig.logFormat, fn.runtime, new Date()));
    const logFd = isLaunchFailure(launch) ? undefined : launch.logFd;
    const stdio = ['ignore', ...Array<'pipe'>(Math.max(2, logFd ?? 0)).fill('pipe')] as const;
    const child = spawn(command, args, { cwd: fn.codeDir, env, stdio: [...stdio] });
    this.child = child;
    child.on('error', (err) => {
      this.exitDescription = `Runtime failed to start: ${err.message}`;
      this.onExit();
    });
    child.on('exit', (code, signal) => {
      this.exitDescription = signal ? `signal: ${signalName(signal)}` : `exit status ${code}`;
      // 'close' waits for the output pipes, which a surviving grandchild may hold open forever.
      setTimeout(() => this.onExit(), 200).unref();
    });
    child.on('close', () => this.onExit());
    this.readLines(child.stdout!, (line) => this.emitFunctionLine(line));
    this.readLines(child.stderr!, (line) => this.onStderr(line));
    if (logFd) this.readLines(child.stdio[logFd] as Readable, (line) => this.onLogRecord(line));
    this.spec.events.emit('environmentStarted', this.info());
    this.watchMemory();
    if (!debug) {
      const initTimer = setTimeout(() => {
        if (this.state === 'initializing') {
          this.initError = functionErrors.initTimedOut(INIT_LIMIT_MS);
          this.kill('init-error');
        }
      }, INIT_LIMIT_MS);
      void this.initDone.then(() => clearTimeout(initTimer));
    }
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
    const cold = this.invocations === 0;
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
      const entry: Current = { request, info, deliveredAt: 0, tail: [], settle: resolve, lose, timed: false };
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
    const owedContinue = this.markThawed();
    this.setState('busy');
    const { fn, version, accountId, region } = this.spec;
    const { request } = entry;
    entry.deliveredAt = performance.now();
    this.awaitingPoll = true;
    this.spec.events.emit('invocationStarted', entry.info);
    this.emitPlatform(platformLog.startLine(fn.loggingConfig.logFormat, request.requestId, version, new Date()), request.requestId);
    const qualifier = version === '$LATEST' ? '' : `:${version}`;
    this.server.deliver({
      requestId: request.requestId,
      payload: request.payload,
      deadlineMs: Date.now() + fn.timeout * 1000,
      invokedFunctionArn: `arn:aws:lambda:${region}:${accountId}:function:${fn.functionName}${qualifier}`,
      traceId: traceId(),
      clientContext: request.clientContext ? Buffer.from(request.clientContext, 'base64').toString() : undefined,
    });
    // SIGCONT after the event is written: the process wakes once, with its event already
    // waiting, rather than waking to an empty socket and again when the event lands.
    if (owedContinue) this.continueProcess();
    this.watchMemory();
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
      this.initDurationMs = Date.now() - this.startedAt;
      this.setState('ready');
      this.resolveInit();
      if (!this.queued) this.freezeAfterGrace();
      return;
    }
    this.awaitingPoll = false;
    this.afterInvocation();
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
    else this.freezeAfterGrace();
  }

  /**
   * Freezes FREEZE_GRACE_MS after the runtime client polled, unless an invocation arrived
   * meanwhile. Back-to-back callers (a promise continuation here, the next HTTP request through
   * `serve`) invoke again within a fraction of that, and freezing in between would cost a
   * SIGSTOP/SIGCONT pair and two wake-ups for nothing. One timer per environment, refreshed.
   */
  private freezeAfterGrace() {
    if (this.freezeTimer) this.freezeTimer.refresh();
    else {
      this.freezeTimer = setTimeout(() => this.freeze(), FREEZE_GRACE_MS);
      this.freezeTimer.unref();
    }
  }

  private onOutcome(o: RuntimeApiOutcome) {
    const entry = this.current;
    if (!entry || entry.request.requestId !== o.requestId) return;
    entry.answeredAt = performance.now();
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
    this.emitPlatform(platformLog.timeoutLine(fn.loggingConfig.logFormat, requestId, fn.timeout, new Date()), requestId);
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
    const durationMs = entry.deliveredAt ? (entry.answeredAt ?? performance.now()) - entry.deliveredAt : 0;
    const initDurationMs = entry.info.cold ? this.initDurationMs : undefined;
    const pid = this.child?.pid;
    const peak = (pid && this.peakMB(pid)) || this.lastRssMB;
    const maxMemoryUsedMB = Math.min(Math.ceil(peak), fn.memorySize);
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
    this.emitPlatform(platformLog.endLine(format, requestId, status ?? 'success', now), requestId, entry);
    this.emitPlatform(platformLog.reportLine(format, requestId, metrics, now), requestId, entry);
    const result: InvokeResult = {
      requestId,
      payload,
      functionError,
      streamed: extra.streamed || undefined,
      cold: entry.info.cold,
      environmentId: this.id,
      version,
      durationMs,
      billedDurationMs: metrics.billedDurationMs,
      initDurationMs,
      maxMemoryUsedMB,
      memorySizeMB: fn.memorySize,
      logTail: tailOf(entry.tail),
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
      this.emitPlatform(platformLog.initReportLine(fn.loggingConfig.logFormat, this.initDurationMs, error.errorType, new Date()));
    }
    this.spec.events.emit('invocationStarted', entry.info);
    entry.tail.push(...this.initLines);
    this.emitPlatform(platformLog.startLine(fn.loggingConfig.logFormat, entry.request.requestId, this.spec.version, new Date()), entry.request.requestId);
    this.finish(entry, error.payload, 'Unhandled', { status: 'error', errorType: error.errorType });
    this.kill('init-error');
  }

  private onExit() {
    if (this.state === 'stopped') return;
    this.exiting = true;
    const description = this.exitDescription || 'exit status 0';
    const reason: StopReason = this.stopReason ?? (this.outOfMemory ? 'out-of-memory' : this.state === 'initializing' ? 'init-error' : 'crash');
    if (this.state === 'initializing' && !this.initError) {
      this.initError = functionErrors.runtimeExited(description);
    }
    if (this.initError && this.state === 'initializing') {
      this.setStateQuiet('ready');
      this.resolveInit();
      if (this.queued) this.tryDeliver();
    }
    const entry = this.current;
    if (entry) {
      const { requestId } = entry.request;
      const body = functionErrors.runtimeExited(description, { requestId, outOfMemory: this.outOfMemory });
      this.emitPlatform(platformLog.runtimeExitLine(requestId, description), requestId);
      this.finish(entry, body.payload, 'Unhandled', { status: 'error', errorType: body.errorType });
    }
    this.stopWatchingMemory();
    clearTimeout(this.timeoutTimer);
    clearTimeout(this.freezeTimer);
    this.server.close();
    this.log.close();
    this.state = 'stopped';
    this.dropQueued();
    this.resolveExited();
    this.spec.events.emit('environmentStopped', this.info(), reason);
  }

  /** Stops the process (SIGKILL, as Lambda shuts sandboxes down) and waits until it is gone. */
  async stop(reason: StopReason): Promise<void> {
    this.kill(reason);
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
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) {
      if (!this.child) this.onExit();
      return;
    }
    killTree(this.child.pid!);
  }

  setDebuggerAttached(attached: boolean, opts: { suspendTimeout?: boolean } = {}) {
    this.debuggerAttached = attached;
    this.timeoutSuspended = attached && opts.suspendTimeout !== false;
    if (attached) {
      this.thaw();
      if (this.current && this.timeoutSuspended) this.current.timed = false;
    } else if (this.idle) {
      this.freeze();
    }
  }

  private freeze() {
    if (!this.spec.freeze || this.debuggerAttached || this.frozen || !this.child?.pid || !this.idle) return;
    try {
      process.kill(this.child.pid, 'SIGSTOP');
      this.frozen = true;
      this.setState('frozen');
    } catch {
      // already gone: onExit will follow
    }
  }

  private thaw() {
    if (this.markThawed()) this.continueProcess();
  }

  /** Records the thaw; true when the process is stopped and owed a SIGCONT (continueProcess). */
  private markThawed(): boolean {
    if (!this.frozen || !this.child?.pid) return false;
    this.frozen = false;
    if (this.state === 'frozen') this.setState('ready');
    return true;
  }

  private continueProcess() {
    try {
      process.kill(this.child!.pid!, 'SIGCONT');
    } catch {
      // already gone
    }
  }

  /** VmHWM, read at most every 100 ms: back-to-back warm invokes need not each pay for /proc. */
  private peakMB(pid: number): number {
    const now = performance.now();
    if (now - this.peakReadAt > 100) {
      this.peakCachedMB = peakResidentMB(pid) ?? this.peakCachedMB;
      this.peakReadAt = now;
    }
    return Math.max(this.peakCachedMB, this.lastRssMB);
  }

  /**
   * Polls RSS every 100 ms while the process runs code (init, invocations), killing it when over
   * MemorySize. Started on delivery if not already running, it stops itself at a tick that finds
   * the environment idle, so back-to-back invokes pay nothing for it.
   */
  private watchMemory() {
    const pid = this.child?.pid;
    if (this.memoryTimer || !pid) return;
    this.memoryTimer = setInterval(() => {
      if (this.idle) return this.stopWatchingMemory();
      const rss = residentMB(pid);
      if (rss === undefined) return;
      this.lastRssMB = Math.max(this.lastRssMB, rss);
      if (rss > this.spec.fn.memorySize) {
        this.outOfMemory = true;
        this.kill('out-of-memory');
      }
    }, MEMORY_POLL_MS);
    this.memoryTimer.unref();
  }

  private stopWatchingMemory() {
    clearInterval(this.memoryTimer);
    this.memoryTimer = undefined;
  }

  private setState(state: EnvironmentState) {
    if (this.state === state || this.state === 'stopped') return;
    this.state = state;
    // Two or three transitions per warm invoke: the snapshot is built only for a listener.
    if (this.spec.events.listenerCount('environmentStateChanged')) this.spec.events.emit('environmentStateChanged', this.info());
  }

  private setStateQuiet(state: EnvironmentState) {
    this.state = state;
  }

  private readLines(stream: Readable | null, onLine: (line: string) => void) {
    if (!stream) return;
    readline.createInterface({ input: stream, crlfDelay: Infinity }).on('line', onLine);
  }

  private onStderr(line: string) {
    const meaning = this.spec.family.stderrMeaning(line);
    if (meaning.kind === 'debugger-ready') {
      this.inspectorUrl = meaning.url;
      this.spec.events.emit('environmentInspectorReady', this.info());
      return;
    }
    if (meaning.kind === 'noise') return;
    if (meaning.kind === 'out-of-memory') this.outOfMemory = true;
    this.emitFunctionLine(line);
  }

  private onLogRecord(line: string) {
    let record: BootstrapLogRecord;
    try {
      record = JSON.parse(line);
    } catch {
      return this.emitFunctionLine(line);
    }
    this.emit(record.line, 'function', {
      timestamp: record.timestamp,
      requestId: record.requestId,
      level: record.level,
      source: record.source,
    });
  }

  private emitFunctionLine(line: string) {
    this.emit(line, 'function', { requestId: this.current?.request.requestId });
  }

  private emitPlatform(message: string, requestId?: string, entry?: Current) {
    this.emit(message, 'platform', { requestId }, entry);
  }

  private emit(message: string, kind: LogKind, extra: Partial<LogRecord>, entry = this.current) {
    const { fn, version } = this.spec;
    const record: LogRecord = {
      functionName: fn.functionName,
      version,
      environmentId: this.id,
      logGroup: fn.loggingConfig.logGroup,
      logStreamName: this.logStreamName,
      timestamp: extra.timestamp ?? Date.now(),
      message,
      kind,
      requestId: extra.requestId,
      level: extra.level,
      source: extra.source,
    };
    this.log.append(record);
    if (this.state === 'initializing') this.initLines.push(message);
    if (entry && (!record.requestId || record.requestId === entry.request.requestId)) entry.tail.push(message);
    this.spec.events.emit('log', record);
  }
}

function tailOf(lines: string[]): string {
  const text = lines.length ? lines.join('\n') + '\n' : '';
  // A UTF-16 unit takes at most 3 UTF-8 bytes: short tails need no encoding to measure.
  if (text.length * 3 <= TAIL_BYTES) return text;
  const buf = Buffer.from(text);
  return buf.length <= TAIL_BYTES ? text : buf.subarray(buf.length - TAIL_BYTES).toString();
}

/** X-Ray trace header as Lambda passes it (`Root=1-<8 hex time>-<24 hex>;Parent=...;Sampled=0`). */
function traceId(): string {
  // randomUUID draws from a cached entropy pool: far cheaper per invoke than randomBytes.
  const hex = crypto.randomUUID().replace(/-/g, '') + crypto.randomUUID().replace(/-/g, '');
  const time = Math.floor(Date.now() / 1000).toString(16);
  return `Root=1-${time}-${hex.slice(0, 24)};Parent=${hex.slice(32, 48)};Sampled=0;Lineage=1:local:0`;
}

/** Go's names, as Lambda prints `Runtime exited with error: signal: killed`. */
function signalName(signal: NodeJS.Signals): string {
  const names: Partial<Record<NodeJS.Signals, string>> = {
    SIGKILL: 'killed',
    SIGABRT: 'aborted (core dumped)',
    SIGSEGV: 'segmentation fault',
    SIGTERM: 'terminated',
  };
  return names[signal] ?? signal;
}
