// Drives one durable execution in this process: invokes the function with the durable envelope,
// and after each invocation that suspends (PENDING), invokes it again when something it waits
// for happens — a wait's or a retry delay's time comes, a callback arrives, an invoked function
// returns. One invocation at a time, as Lambda runs them. Every change is saved before it is
// acted on, so a restarted Lambda Lab picks the execution up where it stood.
import { randomUUID } from 'node:crypto';
import type { InvokeResult } from '../runtimeEvents';
import type { ErrorObject, ExecutionRecord, Operation } from './executionRecord';
import type { ExecutionStore, JournalEntry } from './executionStore';
import { invocationCompleted, OperationLedger, type TimeScale } from './operationLedger';

/** What the driver needs from the runtime. */
export interface DriverHost {
  /** One plain invocation of the function's version with the durable envelope as payload. */
  invokeVersion(functionName: string, version: string, payload: Buffer, requestId: string): Promise<InvokeResult>;
  /** context.invoke: a synchronous invoke of another function (durable ones followed to their end). */
  invokeChained(functionName: string, payload: string | undefined): Promise<{ result?: string; error?: ErrorObject }>;
  diagnostic(message: string): void;
}

/** Invocations that fail outside the SDK (crash, timeout) are tried again this many times before the execution fails. */
const INVOCATION_ATTEMPTS = 3;
const NODE_MAX_TIMER_MS = 2 ** 31 - 1;
/** Bytes of operations the invocation event carries (the rest of 6 MB is the envelope and headroom). */
const ENVELOPE_BUDGET = 5 * 1024 * 1024;
/** First delay before an invocation that failed outside the SDK is tried again (then doubled). */
const INVOCATION_RETRY_MS = 1000;

export class ExecutionDriver {
  readonly ledger: OperationLedger;
  private invoking = false;
  /** Something changed while an invocation ran: invoke again when it ends. */
  private wake = false;
  private failedInvocations = 0;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private timeoutTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly chained = new Set<string>();
  private readonly ended: Promise<ExecutionRecord>;
  private resolveEnded!: (record: ExecutionRecord) => void;
  private idleWaiters: Array<() => void> = [];
  private saving: Promise<void> = Promise.resolve();
  private disposed = false;
  /** The invocation running now: its request id and number (1 the first, then each replay). */
  current: { requestId: string; number: number } | undefined;

  constructor(
    readonly record: ExecutionRecord,
    private readonly store: ExecutionStore,
    private readonly host: DriverHost,
    private readonly time: TimeScale,
    /** Told of every change once it is being saved (views follow executions with it). */
    private readonly onChange: (record: ExecutionRecord) => void = () => undefined,
  ) {
    this.ledger = new OperationLedger(record, time);
    this.ended = new Promise((ok) => (this.resolveEnded = ok));
  }

  get running(): boolean {
    return this.record.Status === 'RUNNING';
  }

  /** Resolves once the execution ended or its function suspended, with nothing to do until a timer, a callback or an invoke. */
  whenSettled(): Promise<void> {
    if (!this.running || (!this.invoking && !this.wake && this.record.updatedOperationIds.length === 0)) return Promise.resolve();
    return Promise.race([this.ended.then(() => undefined), new Promise<void>((ok) => this.idleWaiters.push(ok))]);
  }

  /** Resolves with the record once the execution succeeded, failed, timed out or was stopped. */
  whenEnded(): Promise<ExecutionRecord> {
    return this.ended;
  }

  /**
   * Starts driving: arms the deadlines and the execution timeout, then invokes. A resumed
   * execution is invoked only when something is waiting for it or nothing else would wake it.
   */
  begin(resumed = false): void {
    if (!this.running) return this.end();
    const timeoutAt = this.record.StartTimestamp + this.record.executionTimeout * 1000;
    this.timeoutTimer = longTimer(timeoutAt - Date.now(), () => void this.timeOut());
    for (const d of this.record.deadlines) this.arm(d.operationId, d.at, d.kind);
    // Chained invokes in flight when the last process ended are started again.
    for (const op of this.record.operations) {
      if (op.Type === 'CHAINED_INVOKE' && op.Status === 'STARTED') this.startChained(op, this.chainedInput(op));
    }
    if (!resumed || this.record.updatedOperationIds.length > 0 || !this.hasPendingWork()) this.schedule();
  }

  /** Saves the record; changes are written in the order they were made. */
  save(): Promise<void> {
    const snapshot = JSON.parse(JSON.stringify(this.record)) as ExecutionRecord;
    // A failed write is reported, not thrown: the next save writes the whole state again.
    this.saving = this.saving
      .then(() => this.store.save(snapshot))
      .catch((err: Error) => this.host.diagnostic(`${this.record.DurableExecutionArn}: cannot save its state: ${err.message}`));
    this.onChange(this.record);
    return this.saving;
  }

  /** Records one checkpoint's changes (after the snapshot and the entries before it). */
  journal(operationIds: string[], eventsBefore: number): Promise<void> {
    const r = this.record;
    const entry = JSON.parse(
      JSON.stringify({
        operations: operationIds.map((id) => this.ledger.get(id)).filter(Boolean),
        events: r.events.slice(eventsBefore),
        fields: {
          checkpointToken: r.checkpointToken,
          deadlines: r.deadlines,
          updatedOperationIds: r.updatedOperationIds,
          Status: r.Status,
          EndTimestamp: r.EndTimestamp,
          Result: r.Result,
          Error: r.Error,
        },
      }),
    ) as JournalEntry;
    // A checkpoint that could not be written fails (the SDK hears of it), and later writes still run.
    const written = this.saving.then(() => this.store.append(r, entry));
    this.saving = written.catch(() => undefined);
    this.onChange(r);
    return written;
  }

  /** Marks operations changed by the service and invokes the function again (now or after the running invocation). */
  changed(ids: string[]): void {
    for (const id of ids) if (!this.record.updatedOperationIds.includes(id)) this.record.updatedOperationIds.push(id);
    void this.save();
    this.schedule();
  }

  /**
   * After a checkpoint: arm the deadlines it created, start the invokes it asked for. A checkpoint
   * that ends the execution ends it once its invocation returns, so the history has that
   * invocation's InvocationCompleted before anyone waiting hears of the end.
   */
  afterCheckpoint(touched: string[]): void {
    if (!this.running) return;
    for (const d of this.record.deadlines) if (touched.includes(d.operationId)) this.arm(d.operationId, d.at, d.kind);
    for (const id of touched) {
      const op = this.ledger.get(id);
      if (op?.Type === 'CHAINED_INVOKE' && op.Status === 'STARTED' && !this.chained.has(id)) this.startChained(op, this.chainedInput(op));
    }
  }

  private schedule(): void {
    if (!this.running || this.disposed) return;
    if (this.invoking) {
      this.wake = true;
      return;
    }
    void this.invokeOnce();
  }

  private async invokeOnce(): Promise<void> {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.invoking = true;
    this.wake = false;
    const r = this.record;
    const requestId = randomUUID();
    r.checkpointToken = randomUUID();
    r.invocations++;
    this.current = { requestId, number: r.invocations };
    const envelope = {
      DurableExecutionArn: r.DurableExecutionArn,
      CheckpointToken: r.checkpointToken,
      UpdatedOperationIds: r.updatedOperationIds,
      InitialExecutionState: initialState(this.ledger.replayState()),
    };
    r.updatedOperationIds = [];
    await this.save();
    const start = Date.now();
    let outcome: { Status?: string; Result?: string; Error?: ErrorObject } | undefined;
    let invocationError: ErrorObject | undefined;
    try {
      const result = await this.host.invokeVersion(r.functionName, r.version, Buffer.from(JSON.stringify(envelope)), requestId);
      const body = parseJson(result.payload.toString('utf8'));
      if (result.functionError) invocationError = functionErrorObject(body);
      else outcome = body as typeof outcome;
    } catch (err) {
      invocationError = { ErrorType: (err as Error).name, ErrorMessage: (err as Error).message };
    }
    // From here to the decision nothing awaits: a callback or a timer arriving meanwhile must
    // find this invocation either still running (and set `wake`) or fully handled.
    this.invoking = false;
    this.current = undefined;
    if (this.disposed) return;
    if (!this.running) {
      invocationCompleted(r, requestId, start, invocationError ?? outcome?.Error);
      void this.save();
      return this.end();
    }
    invocationCompleted(r, requestId, start, invocationError ?? (outcome?.Status === 'FAILED' ? outcome.Error : undefined));
    if (outcome?.Status === 'SUCCEEDED') this.ledger.finish('SUCCEEDED', outcome.Result, undefined);
    else if (outcome?.Status === 'FAILED') this.ledger.finish('FAILED', undefined, outcome.Error);
    else if (outcome?.Status === 'PENDING') this.failedInvocations = 0;
    else {
      const error = invocationError ?? {
        ErrorType: 'Runtime.InvalidResponse',
        ErrorMessage: 'The handler returned no durable execution status; wrap it with withDurableExecution().',
      };
      if (++this.failedInvocations >= INVOCATION_ATTEMPTS || !invocationError) this.ledger.finish('FAILED', undefined, error);
      else {
        const delay = INVOCATION_RETRY_MS * 2 ** (this.failedInvocations - 1);
        this.host.diagnostic(
          `${r.functionName}: invocation ${requestId} of ${r.DurableExecutionArn} failed (${error.ErrorMessage}); invoking again in ${delay / 1000} s`,
        );
        this.retryTimer = longTimer(delay, () => this.schedule());
      }
    }
    if (this.running && !this.wake && r.updatedOperationIds.length === 0 && !this.hasPendingWork()) {
      this.ledger.finish('FAILED', undefined, {
        ErrorType: 'InvalidParameterValueException',
        ErrorMessage: 'Cannot return PENDING status with no pending operations.',
      });
    }
    void this.save();
    if (!this.running) return this.end();
    if (this.wake || r.updatedOperationIds.length > 0) return this.schedule();
    for (const settled of this.idleWaiters.splice(0)) settled();
  }

  /** Something will wake the execution up: a timer, an awaited callback or a running invoke. */
  private hasPendingWork(): boolean {
    return (
      this.timers.size > 0 ||
      this.retryTimer !== undefined ||
      this.chained.size > 0 ||
      this.record.operations.some((op) => op.Type === 'CALLBACK' && op.Status === 'STARTED')
    );
  }

  private arm(operationId: string, at: number, kind: string): void {
    const key = `${operationId}:${kind}`;
    if (this.timers.has(key)) return;
    this.timers.set(
      key,
      longTimer(at - Date.now(), () => {
        this.timers.delete(key);
        this.onDeadline(operationId, kind);
      }),
    );
  }

  private onDeadline(operationId: string, kind: string): void {
    const op = this.ledger.get(operationId);
    if (!op || !this.running) return;
    const r = this.record;
    r.deadlines = r.deadlines.filter((d) => !(d.operationId === operationId && d.kind === kind));
    if (kind === 'wait' && op.Status === 'STARTED') this.ledger.close(op, 'SUCCEEDED', undefined, undefined);
    else if (kind === 'retry' && op.Status === 'PENDING') {
      op.Status = 'READY';
      delete op.StepDetails?.NextAttemptTimestamp;
    } else if (kind.startsWith('callback') && op.Status === 'STARTED') {
      const message = kind === 'callback-heartbeat' ? 'Callback timed out on heartbeat' : 'Callback timed out';
      this.ledger.close(op, 'TIMED_OUT', undefined, { ErrorType: 'CallbackTimeout', ErrorMessage: message });
      this.clearTimers(operationId);
    } else return;
    this.changed([operationId]);
  }

  /** A heartbeat pushes the callback's heartbeat deadline back. */
  heartbeat(op: Operation, heartbeatSeconds: number): void {
    const key = `${op.Id}:callback-heartbeat`;
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    const at = Date.now() + this.time.delayMs(heartbeatSeconds);
    this.record.deadlines = this.record.deadlines.filter((d) => !(d.operationId === op.Id && d.kind === 'callback-heartbeat'));
    this.record.deadlines.push({ operationId: op.Id, at, kind: 'callback-heartbeat' });
    this.arm(op.Id, at, 'callback-heartbeat');
    void this.save();
  }

  clearTimers(operationId: string): void {
    for (const [key, timer] of this.timers) {
      if (key.startsWith(`${operationId}:`)) {
        clearTimeout(timer);
        this.timers.delete(key);
      }
    }
  }

  private chainedInput(op: Operation): string | undefined {
    const started = this.record.events.find((e) => e.Id === op.Id && e.EventType === 'ChainedInvokeStarted');
    return (started?.ChainedInvokeStartedDetails as { Input?: { Payload?: string } } | undefined)?.Input?.Payload;
  }

  private startChained(op: Operation, payload: string | undefined): void {
    const started = this.record.events.find((e) => e.Id === op.Id && e.EventType === 'ChainedInvokeStarted');
    const target = (started?.ChainedInvokeStartedDetails as { FunctionName?: string } | undefined)?.FunctionName;
    this.chained.add(op.Id);
    const done = (result?: string, error?: ErrorObject) => {
      this.chained.delete(op.Id);
      if (!this.running || op.Status !== 'STARTED') return;
      this.ledger.close(op, error ? 'FAILED' : 'SUCCEEDED', result, error);
      this.changed([op.Id]);
    };
    if (!target)
      return done(undefined, {
        ErrorType: 'InvalidParameterValueException',
        ErrorMessage: 'ChainedInvokeOptions.FunctionName is missing.',
      });
    this.host.invokeChained(target, payload).then(
      ({ result, error }) => done(result, error),
      (err: Error) => done(undefined, { ErrorType: err.name, ErrorMessage: err.message }),
    );
  }

  private async timeOut(): Promise<void> {
    if (!this.running) return;
    this.ledger.finish('TIMED_OUT', undefined, {
      ErrorType: 'Execution.TimedOut',
      ErrorMessage: `The execution ran past its ExecutionTimeout of ${this.record.executionTimeout} seconds.`,
    });
    await this.save();
    this.end();
  }

  /** Stops timers and releases the execution; waiters get the final record. */
  end(): void {
    clearTimeout(this.timeoutTimer);
    clearTimeout(this.retryTimer);
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    if (!this.running) {
      // Waiters read the execution from disk once it leaves this process: after the last save.
      void this.saving
        .then(() => this.store.release(this.record))
        .catch((err: Error) => this.host.diagnostic(`${this.record.DurableExecutionArn}: ${err.message}`))
        .then(() => this.resolveEnded(this.record));
    }
  }

  /** This process lets go of the execution (Lambda Lab is closing); another process may resume it. */
  async dispose(): Promise<void> {
    this.disposed = true;
    clearTimeout(this.timeoutTimer);
    clearTimeout(this.retryTimer);
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await this.saving;
    await this.store.release(this.record);
  }
}

/** setTimeout for delays past Node's 24.8-day limit (waits may last a year). */
function longTimer(ms: number, fire: () => void): NodeJS.Timeout {
  if (ms <= NODE_MAX_TIMER_MS) {
    const t = setTimeout(fire, Math.max(0, ms));
    t.unref?.();
    return t;
  }
  const holder = setTimeout(() => Object.assign(holder, longTimer(ms - NODE_MAX_TIMER_MS, fire)), NODE_MAX_TIMER_MS);
  holder.unref?.();
  return holder;
}

/**
 * The operations the invocation event carries, up to what fits in a 6 MB invoke payload; the
 * SDK reads the rest with GetDurableExecutionState from NextMarker, as Lambda pages them.
 */
function initialState(operations: Operation[]): { Operations: Record<string, unknown>[]; NextMarker: string } {
  const out: Record<string, unknown>[] = [];
  let size = 0;
  for (const op of operations) {
    const wire = toEnvelopeOperation(op);
    size += Buffer.byteLength(JSON.stringify(wire)) + 1;
    if (size > ENVELOPE_BUDGET && out.length > 0) return { Operations: out, NextMarker: String(out.length) };
    out.push(wire);
  }
  return { Operations: out, NextMarker: '' };
}

/** Operations in the invocation event carry ISO-8601 timestamps (the API's responses carry epoch seconds). */
function toEnvelopeOperation(op: Operation): Record<string, unknown> {
  const out: Record<string, unknown> = { ...op, StartTimestamp: iso(op.StartTimestamp) };
  if (op.EndTimestamp !== undefined) out.EndTimestamp = iso(op.EndTimestamp);
  if (op.StepDetails) out.StepDetails = { ...op.StepDetails, NextAttemptTimestamp: iso(op.StepDetails.NextAttemptTimestamp) };
  if (op.WaitDetails) out.WaitDetails = { ScheduledEndTimestamp: iso(op.WaitDetails.ScheduledEndTimestamp) };
  return out;
}

function iso(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : new Date(ms).toISOString();
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A Lambda function error payload (`errorType`, `errorMessage`, `trace`) as the durable API's ErrorObject. */
export function functionErrorObject(body: unknown): ErrorObject {
  const b = (body ?? {}) as { errorType?: unknown; errorMessage?: unknown; trace?: unknown };
  const out: ErrorObject = {
    ErrorType: typeof b.errorType === 'string' ? b.errorType : 'Error',
    ErrorMessage: typeof b.errorMessage === 'string' ? b.errorMessage : 'The invocation failed',
  };
  if (Array.isArray(b.trace)) out.StackTrace = b.trace.map(String);
  return out;
}
