// One environment's invocations, one at a time as in Lambda: the invocation waiting for the
// runtime client's poll, its delivery (`next`), its answer (`response` / `error`), the invoke
// timeout, and its END and REPORT. ExecutionEnvironment owns the lifecycle around it (init,
// freezing, exit) and hands it what it needs through DeliveryHost.
import * as functionErrors from '../errors/functionErrors';
import * as platformLog from '../logs/platformLog';
import type { EnvironmentState, InvocationInfo, InvokeResult, StopReason } from '../runtimeEvents';
import type { DebuggerPauses } from './debuggerPauses';
import type { EnvironmentExtensions } from './environmentExtensions';
import type { EnvironmentFreezer } from './environmentFreezer';
import type { EnvironmentLog } from './environmentLog';
import type { EnvironmentSpec } from './environmentSpec';
import { invocationEvent } from './invocationEvent';
import type { MemoryWatch } from './memoryWatch';
import type { RuntimeApiEndpoint, RuntimeApiOutcome } from './runtimeApiServer';
import * as telemetryRecords from './telemetryRecords';

export interface InvokeRequest {
  requestId: string;
  payload: Buffer;
  clientContext?: string;
  /** Set for an attempt of a queued asynchronous event. */
  invocationType?: 'Event';
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
  /** The caller has its answer; the invocation goes on while extensions finish their work on it. */
  responded: boolean;
  /** Debugger stops counted so far, up to pausesCountedTo (an early answer counts its part first). */
  pausedMs?: number;
  pausesCountedTo?: number;
}

type Answer = { payload: Buffer; functionError: InvokeResult['functionError']; extra: AnswerExtra };
type AnswerExtra = { streamed?: boolean; status?: 'timeout' | 'error'; errorType?: string };

/** What the delivery needs of its environment. */
export interface DeliveryHost {
  readonly spec: EnvironmentSpec;
  readonly log: EnvironmentLog;
  readonly memory: MemoryWatch;
  /** Time a debugger held the process stopped: results report it apart from Duration. */
  readonly pauses: DebuggerPauses;
  readonly freezer: EnvironmentFreezer;
  readonly extensions: EnvironmentExtensions;
  readonly server: RuntimeApiEndpoint;
  readonly state: EnvironmentState;
  readonly alive: boolean;
  /** The process is gone and the environment is winding down. */
  readonly exiting: boolean;
  /** Why init failed, if it did: the invocation that waited for it fails with that error. */
  readonly initError: functionErrors.FunctionErrorBody | undefined;
  /** Init's duration, for the REPORT of a cold invocation. */
  readonly initDurationMs: number | undefined;
  /** Set by stopWhenIdle: the environment ends once nothing is running or waiting. */
  readonly retireReason: StopReason | undefined;
  setState(state: EnvironmentState): void;
  /** Writes INIT_REPORT for a failed init (once) and ends the init lines. */
  reportFailedInit(): void;
  kill(reason: StopReason): void;
  /** Lambda's shutdown (graceful with external extensions), for an environment retired while busy. */
  stop(reason: StopReason): Promise<void>;
}

export class InvocationDelivery {
  /** Invocations started on this environment (delivered or failed by init). */
  count = 0;
  /** While debugged, the invoke timeout is off unless the session asked for it to be enforced. */
  timeoutSuspended = false;
  private current: Current | undefined;
  /** Waiting for the runtime client's next poll before delivery (warm reuse right after a response). */
  private queued: Current | undefined;
  /** Delivered an event and the runtime client has not polled since. */
  private awaitingPoll = false;
  /**
   * The invoke timeout: one timer per environment, re-armed with refresh() on each delivery
   * rather than a new setTimeout/clearTimeout pair per invoke. Unref'd: while an invocation
   * runs, the handler process's pipes keep our process alive anyway.
   */
  private timeoutTimer: NodeJS.Timeout | undefined;

  constructor(private readonly host: DeliveryHost) {}

  /** Nothing running and nothing waiting. */
  get empty(): boolean {
    return !this.current && !this.queued;
  }

  get hasQueued(): boolean {
    return this.queued !== undefined;
  }

  get running(): boolean {
    return this.current !== undefined;
  }

  /** Nothing waiting, and the caller of any running invocation has its answer (extensions may still be at work). */
  get answered(): boolean {
    return !this.queued && (!this.current || this.current.responded);
  }

  /** The running invocation's request id (a streamed chunk's owner). */
  get currentRequest(): InvokeRequest | undefined {
    return this.current?.request;
  }

  /**
   * Takes one invocation; it is delivered now if the runtime client can take it, else at its
   * next poll (or, cold, once init is over: `initialized`). Not `async`: the pool's claim on
   * this environment must be synchronous, and a warm invoke is delivered in the caller's own turn.
   */
  invoke(request: InvokeRequest, initialized: boolean, initDone: Promise<void>): Promise<InvokeResult> {
    const { spec } = this.host;
    const cold = this.count === 0 && spec.initializationType !== 'provisioned-concurrency';
    this.count++;
    const info: InvocationInfo = {
      requestId: request.requestId,
      functionName: spec.fn.functionName,
      version: spec.version,
      environmentId: spec.id,
      cold,
      startedAt: Date.now(),
      ...(request.invocationType && { invocationType: request.invocationType }),
    };
    return new Promise<InvokeResult>((resolve, reject) => {
      const lose = () => reject(new EnvironmentLostError(`environment ${spec.id} stopped before the invocation started`));
      const entry: Current = { request, info, deliveredAt: 0, settle: resolve, lose, timed: false, responded: false };
      this.queued = entry;
      request.signal?.addEventListener(
        'abort',
        () => {
          if (this.queued === entry) this.dropQueued();
          else if (this.current === entry && !entry.responded) this.host.kill('stopped');
        },
        { once: true },
      );
      if (initialized) this.tryDeliver();
      else void initDone.then(() => this.tryDeliver());
    });
  }

  /** The queued invocation will not start here (the process is gone, or the caller gave up): the pool may place it elsewhere. */
  dropQueued() {
    const entry = this.queued;
    if (!entry) return;
    this.queued = undefined;
    entry.lose();
  }

  tryDeliver() {
    const entry = this.queued;
    const host = this.host;
    if (!entry || this.current || !host.alive) return;
    if (host.initError) return this.failInit(entry);
    if (host.state === 'initializing' || (host.state === 'busy' && !host.server.polling)) return;
    this.queued = undefined;
    this.current = entry;
    const owedContinue = host.freezer.markThawed();
    host.setState('busy');
    const { fn, version, accountId, region } = host.spec;
    const { request } = entry;
    this.awaitingPoll = true;
    const event = invocationEvent(request, { fn, version, region, accountId });
    entry.deliveredAt = performance.now();
    // The runtime first, extensions in the same turn (Lambda releases them together, which
    // neither side can tell apart): the runtime's answer is what the caller waits for, and the
    // extensions' wake-up overlaps the handler's work (measured in test/bench/extensionsBench).
    // START and the bookkeeping below overlap it too: the handler's own lines reach us in a
    // later turn, after START.
    host.server.deliver(event);
    host.log.startTail(request.requestId);
    host.log.platform(platformLog.startLine(fn.loggingConfig.logFormat, request.requestId, version, new Date()), request.requestId);
    host.spec.events.emit('invocationStarted', entry.info);
    host.extensions.invoke(event);
    host.extensions.platform('platform.start', () => telemetryRecords.start(event, version));
    // SIGCONT after the event is written: the process wakes once, with its event already
    // waiting, rather than waking to an empty socket and again when the event lands.
    if (owedContinue) host.freezer.resume();
    host.memory.start();
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
    }, this.host.spec.fn.timeout * 1000);
    this.timeoutTimer.unref();
  }

  /** A debugger attached (the timeout of the running invocation is suspended) or detached. */
  suspendTimeout(suspended: boolean) {
    this.timeoutSuspended = suspended;
    if (suspended && this.current) this.current.timed = false;
  }

  /** The runtime client polled again after an invocation. */
  onPoll() {
    this.awaitingPoll = false;
    this.afterInvocation();
  }

  /**
   * Once the invocation is finished and the client has polled again (in either order: a
   * pipelining client's poll can be in before its answer is processed), the environment is
   * ready: it takes the waiting invocation, else it freezes.
   */
  private afterInvocation() {
    const host = this.host;
    if (host.state !== 'busy' || this.current || this.awaitingPoll || host.exiting) return;
    host.setState('ready');
    if (this.queued) this.tryDeliver();
    else host.freezer.freezeAfterGrace();
  }

  onOutcome(o: RuntimeApiOutcome) {
    const entry = this.current;
    if (!entry || entry.request.requestId !== o.requestId) return;
    entry.answeredAt = performance.now();
    // The deadline is absolute: an answer that comes after it, before our own busy loop got
    // round to the timeout, is a timeout all the same.
    if (entry.timed && entry.answeredAt - entry.deliveredAt >= this.host.spec.fn.timeout * 1000) return this.onTimeout(entry);
    this.host.extensions.platform('platform.runtimeDone', () => telemetryRecords.runtimeDone(o, entry.answeredAt! - entry.deliveredAt));
    // Without extensions at work the invocation is over: no timeout between here and its END.
    if (this.host.extensions.allReady) entry.timed = false;
    // Log records the handler wrote before answering are already in our pipes, but their
    // 'data' may come later in this same poll phase: the answer waits for it (setImmediate
    // runs right after the poll phase), so the handler's lines come first, as in Lambda.
    setImmediate(() => this.onAnswered(entry, answerOf(o)));
  }

  /**
   * The caller gets the runtime's answer at once. The invocation ends (END, REPORT) when every
   * extension is done with it too, within the same timeout: as in Lambda, their extra time
   * counts in its Duration, and the environment takes no other invocation until then.
   */
  private onAnswered(entry: Current, answer: Answer) {
    if (this.current !== entry) return;
    const { extensions } = this.host;
    if (extensions.allReady) return this.finish(entry, answer);
    entry.responded = true;
    const durationMs = entry.answeredAt! - entry.deliveredAt;
    entry.settle(this.result(entry, answer, durationMs, undefined, this.host.log.peekTail()));
    extensions.whenReady(() => {
      if (this.current !== entry) return;
      entry.answeredAt = performance.now();
      this.finish(entry, answer);
    });
  }

  private onTimeout(entry: Current) {
    if (this.current !== entry) return;
    const { fn } = this.host.spec;
    const { requestId } = entry.request;
    this.host.log.platform(platformLog.timeoutLine(fn.loggingConfig.logFormat, requestId, fn.timeout, new Date()), requestId);
    const body = functionErrors.invokeTimedOut(requestId, fn.timeout);
    this.finish(entry, failure(body, 'timeout'));
    this.host.kill('timeout');
  }

  /** END and REPORT: the invocation is over for the environment (and for its caller, if not already answered). */
  private finish(entry: Current, answer: Answer) {
    if (this.current !== entry) return;
    this.current = undefined;
    entry.timed = false;
    const host = this.host;
    const { fn } = host.spec;
    const { functionError, extra } = answer;
    const durationMs = entry.deliveredAt ? (entry.answeredAt ?? performance.now()) - entry.deliveredAt : 0;
    const initDurationMs = entry.info.cold ? host.initDurationMs : undefined;
    const status = extra.status ?? (functionError ? 'error' : undefined);
    const metrics: platformLog.ReportMetrics = {
      durationMs,
      billedDurationMs: platformLog.billedDuration(durationMs, initDurationMs),
      memorySizeMB: fn.memorySize,
      maxMemoryUsedMB: host.memory.maxUsedMB(),
      initDurationMs,
      status: extra.status ?? (status && extra.errorType?.startsWith('Runtime.') ? 'error' : undefined),
      errorType: extra.status || extra.errorType?.startsWith('Runtime.') ? extra.errorType : undefined,
    };
    const format = fn.loggingConfig.logFormat;
    const { requestId } = entry.request;
    const now = new Date();
    host.log.platform(platformLog.endLine(format, requestId, status ?? 'success', now), requestId);
    host.log.platform(platformLog.reportLine(format, requestId, metrics, now), requestId);
    host.extensions.platform('platform.report', () => telemetryRecords.report(requestId, status, metrics));
    const result = this.result(entry, answer, durationMs, initDurationMs, host.log.takeTail());
    host.spec.events.emit('invocationEnded', entry.info, result);
    if (!entry.responded) entry.settle(result);
    if (host.retireReason && !this.queued) void host.stop(host.retireReason);
    else this.afterInvocation();
  }

  private result(entry: Current, answer: Answer, durationMs: number, initDurationMs: number | undefined, logTail: string): InvokeResult {
    const { fn, version, id } = this.host.spec;
    if (entry.deliveredAt) {
      const from = entry.pausesCountedTo ?? entry.deliveredAt;
      const to = entry.deliveredAt + durationMs;
      entry.pausedMs = (entry.pausedMs ?? 0) + this.host.pauses.takeWithin(from, to);
      entry.pausesCountedTo = to;
    }
    return {
      requestId: entry.request.requestId,
      payload: answer.payload,
      functionError: answer.functionError,
      streamed: answer.extra.streamed || undefined,
      cold: entry.info.cold,
      environmentId: id,
      version,
      durationMs,
      pausedMs: entry.pausedMs || undefined,
      billedDurationMs: platformLog.billedDuration(durationMs, initDurationMs),
      initDurationMs,
      maxMemoryUsedMB: this.host.memory.maxUsedMB(),
      memorySizeMB: fn.memorySize,
      logTail,
    };
  }

  /** Init failed (init/error, exit, init timeout): the invocation that waited for it fails with that error. */
  private failInit(entry: Current) {
    const host = this.host;
    this.queued = undefined;
    this.current = entry;
    entry.deliveredAt = performance.now();
    const error = host.initError!;
    host.reportFailedInit();
    host.spec.events.emit('invocationStarted', entry.info);
    host.log.startTail(entry.request.requestId, true);
    host.log.platform(
      platformLog.startLine(host.spec.fn.loggingConfig.logFormat, entry.request.requestId, host.spec.version, new Date()),
      entry.request.requestId,
    );
    this.finish(entry, failure(error, 'error'));
    host.kill('init-error');
  }

  /**
   * The process is gone: the running invocation fails with an extension's failure, else with
   * Runtime.ExitError (and its platform line); nothing more is delivered.
   */
  onProcessExit(description: string, outOfMemory: boolean, extensionFailure: functionErrors.FunctionErrorBody | undefined) {
    const entry = this.current;
    if (entry) {
      const { requestId } = entry.request;
      const body = extensionFailure ?? functionErrors.runtimeExited(description, { requestId, outOfMemory });
      if (!extensionFailure) this.host.log.platform(platformLog.runtimeExitLine(requestId, description), requestId);
      this.finish(entry, failure(body, 'error'));
    }
    clearTimeout(this.timeoutTimer);
  }
}

function answerOf(o: RuntimeApiOutcome): Answer {
  if (o.kind === 'response') return { payload: o.payload, functionError: undefined, extra: { streamed: o.streamed } };
  if (o.kind === 'error') return { payload: o.payload, functionError: 'Unhandled', extra: { errorType: o.errorType } };
  return failure(functionErrors.responseTooLarge(o.limit), 'error');
}

function failure(body: functionErrors.FunctionErrorBody, status: 'timeout' | 'error'): Answer {
  return { payload: body.payload, functionError: 'Unhandled', extra: { status, errorType: body.errorType } };
}
