// An execution's operations as people read them: nested by parent (parallel branches, map
// items, child contexts), each with its status, attempts, duration and what it waited for, and
// the invocations (first run and replays) that drove it. Shared by the VS Code executions view
// and the debugger's "Durable history" scope.
import type { ErrorObject, ExecutionRecord, HistoryEvent, Operation, OperationStatus, OperationType } from './executionRecord';

export interface TimelineEntry {
  id: string;
  name: string;
  /** What it is in a word or two: step, wait, callback, invoke, parallel, map iteration, wait for callback… */
  kind: string;
  type: OperationType;
  subType?: string;
  status: OperationStatus;
  startedAt: number;
  endedAt?: number;
  /** Steps: how many attempts ran so far. */
  attempts?: number;
  /** What the operation is about beyond its name: a wait's duration, an invoked function, a retry's next attempt. */
  detail?: string;
  result?: string;
  error?: string;
  /** Callbacks: the id callers answer with (SendDurableExecutionCallbackSuccess/Failure/Heartbeat). */
  callbackId?: string;
  children: TimelineEntry[];
}

export interface InvocationEntry {
  /** 1 for the first invocation, then each replay. */
  number: number;
  requestId: string;
  startedAt: number;
  endedAt: number;
  error?: string;
}

const TYPE_WORD: Record<OperationType, string> = {
  EXECUTION: 'execution',
  STEP: 'step',
  WAIT: 'wait',
  CALLBACK: 'callback',
  CONTEXT: 'context',
  CHAINED_INVOKE: 'invoke',
};

/** The execution's operations (without the EXECUTION one), children under their parents, in start order. */
export function timeline(record: ExecutionRecord): TimelineEntry[] {
  const root = record.operations.find((op) => op.Type === 'EXECUTION');
  const entries = new Map<string, TimelineEntry>();
  for (const op of record.operations) if (op.Type !== 'EXECUTION') entries.set(op.Id, entry(record, op));
  const top: TimelineEntry[] = [];
  for (const op of record.operations) {
    const e = entries.get(op.Id);
    if (!e) continue;
    const parent = op.ParentId && op.ParentId !== root?.Id ? entries.get(op.ParentId) : undefined;
    (parent ? parent.children : top).push(e);
  }
  return top;
}

function entry(record: ExecutionRecord, op: Operation): TimelineEntry {
  // The SDK's sub-types (Parallel, MapIteration, WaitForCallback…) say more than the type.
  const kind = op.SubType ? op.SubType.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase() : TYPE_WORD[op.Type];
  const out: TimelineEntry = {
    id: op.Id,
    // Unnamed operations (a waitForCallback's callback and submitter) are called what they are.
    name: op.Name ?? kind,
    kind,
    type: op.Type,
    subType: op.SubType,
    status: op.Status,
    startedAt: op.StartTimestamp,
    endedAt: op.EndTimestamp,
    children: [],
  };
  const started = (type: string) => record.events.find((e) => e.Id === op.Id && e.EventType === type);
  switch (op.Type) {
    case 'STEP':
      out.attempts = op.StepDetails?.Attempt ?? (op.Status === 'STARTED' ? 1 : undefined);
      if (op.Status === 'PENDING' && op.StepDetails?.NextAttemptTimestamp) {
        out.detail = `next attempt at ${new Date(op.StepDetails.NextAttemptTimestamp).toISOString()}`;
      }
      setOutcome(out, op.StepDetails);
      break;
    case 'WAIT': {
      const seconds = details<{ Duration?: number }>(started('WaitStarted'), 'WaitStartedDetails')?.Duration;
      if (seconds !== undefined) out.detail = `${seconds} s`;
      break;
    }
    case 'CALLBACK':
      out.callbackId = op.CallbackDetails?.CallbackId;
      setOutcome(out, op.CallbackDetails);
      break;
    case 'CHAINED_INVOKE': {
      const fn = details<{ FunctionName?: string }>(started('ChainedInvokeStarted'), 'ChainedInvokeStartedDetails')?.FunctionName;
      if (fn) out.detail = fn;
      setOutcome(out, op.ChainedInvokeDetails);
      break;
    }
    case 'CONTEXT':
      setOutcome(out, op.ContextDetails);
      break;
  }
  return out;
}

function details<T>(event: HistoryEvent | undefined, key: string): T | undefined {
  return event?.[key] as T | undefined;
}

function setOutcome(out: TimelineEntry, d: { Result?: string; Error?: ErrorObject } | undefined): void {
  if (d?.Result !== undefined) out.result = d.Result;
  if (d?.Error && (d.Error.ErrorType || d.Error.ErrorMessage)) out.error = errorText(d.Error);
}

export function errorText(e: ErrorObject): string {
  return [e.ErrorType, e.ErrorMessage].filter(Boolean).join(': ');
}

/** The invocations that ended, in order, from the execution's InvocationCompleted events. */
export function invocations(record: ExecutionRecord): InvocationEntry[] {
  return record.events
    .filter((e) => e.EventType === 'InvocationCompleted')
    .map((e, i) => {
      const d = e.InvocationCompletedDetails as {
        StartTimestamp: number;
        EndTimestamp: number;
        RequestId: string;
        Error?: { Payload?: ErrorObject };
      };
      const out: InvocationEntry = { number: i + 1, requestId: d.RequestId, startedAt: d.StartTimestamp, endedAt: d.EndTimestamp };
      if (d.Error?.Payload) out.error = errorText(d.Error.Payload);
      return out;
    });
}

/** `1.2 s`, `340 ms`, `3 min 20 s`, `2 h 5 min`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
  const m = Math.round(s / 60);
  return `${Math.floor(m / 60)} h${m % 60 ? ` ${m % 60} min` : ''}`;
}
