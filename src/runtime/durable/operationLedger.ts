// What a checkpoint, a timer or a callback does to an execution's operations, and the history
// event each change writes. The transitions are those of Lambda's durable execution service as
// AWS's own testing checkpoint server models them (@aws/durable-execution-sdk-js-testing).
import { randomUUID } from 'node:crypto';
import { invalidParameter } from '../errors/serviceErrors';
import {
  encodeCallbackId,
  type ErrorObject,
  type ExecutionRecord,
  type HistoryEvent,
  type Operation,
  type OperationStatus,
  type OperationUpdate,
} from './executionRecord';

/** How the service's clock relates to the durations code asks for (waits, retry delays, callback timeouts). */
export interface TimeScale {
  /** Milliseconds the service waits for `seconds` asked for: `seconds * 1000 * waitScale`. */
  delayMs(seconds: number): number;
}

const STARTED_EVENT: Record<string, string> = {
  EXECUTION: 'ExecutionStarted',
  STEP: 'StepStarted',
  WAIT: 'WaitStarted',
  CALLBACK: 'CallbackStarted',
  CONTEXT: 'ContextStarted',
  CHAINED_INVOKE: 'ChainedInvokeStarted',
};
const PREFIX: Record<string, string> = {
  EXECUTION: 'Execution',
  STEP: 'Step',
  WAIT: 'Wait',
  CALLBACK: 'Callback',
  CONTEXT: 'Context',
  CHAINED_INVOKE: 'ChainedInvoke',
};
const STATUS_WORD: Partial<Record<OperationStatus, string>> = {
  SUCCEEDED: 'Succeeded',
  FAILED: 'Failed',
  CANCELLED: 'Cancelled',
  TIMED_OUT: 'TimedOut',
  STOPPED: 'Stopped',
};
const CLOSED: ReadonlySet<OperationStatus> = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED', 'TIMED_OUT', 'STOPPED']);

export function isClosed(op: Operation): boolean {
  return CLOSED.has(op.Status);
}

export class OperationLedger {
  private readonly byId = new Map<string, Operation>();

  constructor(
    readonly record: ExecutionRecord,
    private readonly time: TimeScale,
  ) {
    for (const op of record.operations) this.byId.set(op.Id, op);
  }

  get(id: string): Operation | undefined {
    return this.byId.get(id);
  }

  /** The EXECUTION operation and its ExecutionStarted event, for a new execution. */
  static start(record: ExecutionRecord): void {
    const op: Operation = {
      Id: randomUUID(),
      Type: 'EXECUTION',
      Status: 'STARTED',
      StartTimestamp: record.StartTimestamp,
      ExecutionDetails: { InputPayload: record.InputPayload },
    };
    record.operations.push(op);
    pushEvent(record, op, 'ExecutionStarted', {
      ExecutionStartedDetails: { Input: { Payload: record.InputPayload }, ExecutionTimeout: record.executionTimeout },
    });
  }

  /** Applies one checkpoint's updates in order; returns the ids they touched. */
  apply(updates: OperationUpdate[]): string[] {
    const touched: string[] = [];
    for (const update of updates) {
      if (!update?.Id || !update.Type || !update.Action) throw invalidParameter('Each OperationUpdate needs Id, Type and Action.');
      const id = update.Type === 'EXECUTION' ? this.record.operations[0].Id : update.Id;
      this.applyOne({ ...update, Id: id });
      touched.push(id);
    }
    return touched;
  }

  private applyOne(u: OperationUpdate): void {
    if (u.Type === 'EXECUTION') return this.completeExecutionFromCheckpoint(u);
    let op = this.byId.get(u.Id);
    if (!op) {
      if (u.ParentId && !this.byId.has(u.ParentId))
        throw invalidParameter(`Operation ${u.Id} names a ParentId ${u.ParentId} that does not exist.`);
      op = { Id: u.Id, Type: u.Type, Status: 'STARTED', StartTimestamp: Date.now() };
      if (u.ParentId) op.ParentId = u.ParentId;
      if (u.Name !== undefined) op.Name = u.Name;
      if (u.SubType !== undefined) op.SubType = u.SubType;
      this.byId.set(op.Id, op);
      this.record.operations.push(op);
      if (u.Action === 'START' || u.Action === 'RETRY') this.started(op, u);
      else pushEvent(this.record, op, STARTED_EVENT[op.Type], startedDetails(op, u));
      if (u.Action === 'START') return;
    } else if (isClosed(op)) {
      throw invalidParameter(`Operation ${u.Id} is already ${op.Status}; it cannot take the action ${u.Action}.`);
    } else if (u.Action === 'START') {
      // A step attempt after a retry delay, or a replayed START of a running operation.
      op.Status = 'STARTED';
      if (op.Type === 'STEP') pushEvent(this.record, op, 'StepStarted', { StepStartedDetails: {} });
      return;
    }
    switch (u.Action) {
      case 'SUCCEED':
        return this.close(op, 'SUCCEEDED', u.Payload, undefined, u);
      case 'FAIL':
        return this.close(op, 'FAILED', undefined, u.Error, u);
      case 'CANCEL':
        return this.close(op, op.Type === 'CHAINED_INVOKE' ? 'STOPPED' : 'CANCELLED', undefined, u.Error, u);
      case 'RETRY':
        return this.retry(op, u);
      default:
        throw invalidParameter(`Unknown Action ${String(u.Action)} for operation ${u.Id}.`);
    }
  }

  /** A new operation started: what the service sets up for it. */
  private started(op: Operation, u: OperationUpdate): void {
    switch (op.Type) {
      case 'WAIT': {
        const seconds = u.WaitOptions?.WaitSeconds ?? 0;
        op.WaitDetails = { ScheduledEndTimestamp: Date.now() + this.time.delayMs(seconds) };
        this.record.deadlines.push({ operationId: op.Id, at: op.WaitDetails.ScheduledEndTimestamp!, kind: 'wait' });
        break;
      }
      case 'CALLBACK': {
        op.CallbackDetails = { CallbackId: encodeCallbackId(this.record.functionName, this.record.executionId, op.Id, randomUUID()) };
        const { TimeoutSeconds, HeartbeatTimeoutSeconds } = u.CallbackOptions ?? {};
        if (TimeoutSeconds)
          this.record.deadlines.push({ operationId: op.Id, at: Date.now() + this.time.delayMs(TimeoutSeconds), kind: 'callback-timeout' });
        if (HeartbeatTimeoutSeconds) {
          this.record.deadlines.push({
            operationId: op.Id,
            at: Date.now() + this.time.delayMs(HeartbeatTimeoutSeconds),
            kind: 'callback-heartbeat',
          });
        }
        break;
      }
      case 'CONTEXT':
        op.ContextDetails = { ReplayChildren: u.ContextOptions?.ReplayChildren };
        break;
      case 'STEP':
        if (u.Action === 'RETRY') {
          pushEvent(this.record, op, 'StepStarted', { StepStartedDetails: {} });
          return this.retry(op, u);
        }
        break;
    }
    pushEvent(this.record, op, STARTED_EVENT[op.Type], startedDetails(op, u));
  }

  private retry(op: Operation, u: OperationUpdate): void {
    if (op.Type !== 'STEP') throw invalidParameter(`RETRY applies to STEP operations only, not to ${op.Type} ${op.Id}.`);
    const delay = u.StepOptions?.NextAttemptDelaySeconds ?? 0;
    const attempt = (op.StepDetails?.Attempt ?? 0) + 1;
    const next = Date.now() + this.time.delayMs(delay);
    op.Status = 'PENDING';
    op.StepDetails = { ...op.StepDetails, Attempt: attempt, NextAttemptTimestamp: next, Result: u.Payload, Error: u.Error };
    const details = { RetryDetails: { CurrentAttempt: attempt, NextAttemptDelaySeconds: delay } };
    if (u.Error) pushEvent(this.record, op, 'StepFailed', { StepFailedDetails: { Error: { Payload: u.Error }, ...details } });
    else pushEvent(this.record, op, 'StepSucceeded', { StepSucceededDetails: { Result: { Payload: u.Payload }, ...details } });
    this.record.deadlines.push({ operationId: op.Id, at: next, kind: 'retry' });
  }

  /** Closes an operation with its result or error, as a checkpoint, a timer or a callback says. */
  close(op: Operation, status: OperationStatus, result: string | undefined, error: ErrorObject | undefined, u?: OperationUpdate): void {
    op.Status = status;
    op.EndTimestamp = Date.now();
    switch (op.Type) {
      case 'STEP':
        op.StepDetails = { ...op.StepDetails, Attempt: (op.StepDetails?.Attempt ?? 0) + 1, Result: result, Error: error };
        delete op.StepDetails.NextAttemptTimestamp;
        break;
      case 'CONTEXT':
        op.ContextDetails = { ...op.ContextDetails, Result: result, Error: error };
        if (u?.ContextOptions?.ReplayChildren !== undefined) op.ContextDetails.ReplayChildren = u.ContextOptions.ReplayChildren;
        break;
      case 'CALLBACK':
        op.CallbackDetails = { ...op.CallbackDetails, Result: result, Error: error };
        break;
      case 'CHAINED_INVOKE':
        op.ChainedInvokeDetails = { Result: result, Error: error };
        break;
    }
    this.record.deadlines = this.record.deadlines.filter((d) => d.operationId !== op.Id);
    const word = STATUS_WORD[status] ?? status;
    const details: Record<string, unknown> = {};
    if (result !== undefined) details.Result = { Payload: result };
    if (error !== undefined) details.Error = { Payload: error };
    if (op.Type === 'WAIT') details.Duration = this.waitDuration(op);
    pushEvent(this.record, op, `${PREFIX[op.Type]}${word}`, { [`${PREFIX[op.Type]}${word}Details`]: details });
  }

  /** The SDK put the execution's result in a checkpoint (results over the response limit). */
  private completeExecutionFromCheckpoint(u: OperationUpdate): void {
    if (u.Action === 'SUCCEED') this.finish('SUCCEEDED', u.Payload, undefined);
    else if (u.Action === 'FAIL') this.finish('FAILED', undefined, u.Error);
    else throw invalidParameter(`The EXECUTION operation takes SUCCEED or FAIL, not ${u.Action}.`);
  }

  /** Ends the execution: its EXECUTION operation closes and the terminal event is written once. */
  finish(status: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'STOPPED', result: string | undefined, error: ErrorObject | undefined): void {
    const r = this.record;
    if (r.Status !== 'RUNNING') return;
    r.Status = status;
    r.EndTimestamp = Date.now();
    if (result !== undefined) r.Result = result;
    if (error !== undefined) r.Error = error;
    r.deadlines = [];
    const op = r.operations[0];
    op.Status = status;
    op.EndTimestamp = r.EndTimestamp;
    const word = STATUS_WORD[status]!;
    const details: Record<string, unknown> = {};
    if (result !== undefined) details.Result = { Payload: result };
    if (error !== undefined || status !== 'SUCCEEDED') details.Error = { Payload: error ?? {} };
    pushEvent(r, op, `Execution${word}`, { [`Execution${word}Details`]: details });
  }

  /** The operations an invocation starts from: children of closed contexts that replay without them are left out, as Lambda does. */
  replayState(): Operation[] {
    const excluded = new Set<string>();
    const out: Operation[] = [];
    for (const op of this.record.operations) {
      const parent = op.ParentId ? this.byId.get(op.ParentId) : undefined;
      if (
        parent &&
        parent.Type === 'CONTEXT' &&
        (parent.Status === 'SUCCEEDED' || parent.Status === 'FAILED') &&
        (!parent.ContextDetails?.ReplayChildren || excluded.has(parent.Id))
      ) {
        excluded.add(op.Id);
        continue;
      }
      out.push(op);
    }
    return out;
  }

  private waitDuration(op: Operation): number | undefined {
    const started = this.record.events.find((e) => e.Id === op.Id && e.EventType === 'WaitStarted');
    return (started?.WaitStartedDetails as { Duration?: number } | undefined)?.Duration;
  }
}

function startedDetails(op: Operation, u: OperationUpdate): Record<string, unknown> {
  switch (op.Type) {
    case 'WAIT':
      return {
        WaitStartedDetails: { Duration: u.WaitOptions?.WaitSeconds ?? 0, ScheduledEndTimestamp: op.WaitDetails?.ScheduledEndTimestamp },
      };
    case 'CALLBACK':
      return {
        CallbackStartedDetails: {
          CallbackId: op.CallbackDetails?.CallbackId,
          Timeout: u.CallbackOptions?.TimeoutSeconds,
          HeartbeatTimeout: u.CallbackOptions?.HeartbeatTimeoutSeconds,
        },
      };
    case 'CHAINED_INVOKE':
      return { ChainedInvokeStartedDetails: { FunctionName: u.ChainedInvokeOptions?.FunctionName, Input: { Payload: u.Payload } } };
    case 'CONTEXT':
      return { ContextStartedDetails: {} };
    default:
      return { StepStartedDetails: {} };
  }
}

function pushEvent(record: ExecutionRecord, op: Operation, type: string, details: Record<string, unknown>): void {
  const event: HistoryEvent = { EventType: type, EventId: record.events.length + 1, Id: op.Id, EventTimestamp: Date.now(), ...details };
  if (op.SubType) event.SubType = op.SubType;
  if (op.Name) event.Name = op.Name;
  if (op.ParentId) event.ParentId = op.ParentId;
  record.events.push(event);
}

/** The InvocationCompleted event each invocation (replay) ends with. */
export function invocationCompleted(record: ExecutionRecord, requestId: string, start: number, error: ErrorObject | undefined): void {
  const details: Record<string, unknown> = { StartTimestamp: start, EndTimestamp: Date.now(), RequestId: requestId };
  if (error) details.Error = { Payload: error };
  record.events.push({
    EventType: 'InvocationCompleted',
    EventId: record.events.length + 1,
    EventTimestamp: Date.now(),
    InvocationCompletedDetails: details,
  });
}
