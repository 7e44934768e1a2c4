// One durable execution as Lambda Lab keeps it: the operations the SDK checkpointed (with the
// shapes of Lambda's durable execution API), their history events, and what the service itself
// holds (checkpoint token, deadlines). Timestamps are epoch milliseconds here and become the
// wire's epoch seconds in api/. The record is plain JSON: it is what `.lambda-lab/durable/` holds.

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'STOPPED';
export type OperationType = 'EXECUTION' | 'STEP' | 'WAIT' | 'CALLBACK' | 'CONTEXT' | 'CHAINED_INVOKE';
export type OperationStatus = 'STARTED' | 'PENDING' | 'READY' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED' | 'TIMED_OUT' | 'STOPPED';
export type OperationAction = 'START' | 'SUCCEED' | 'FAIL' | 'RETRY' | 'CANCEL';

export interface ErrorObject {
  ErrorMessage?: string;
  ErrorType?: string;
  ErrorData?: string;
  StackTrace?: string[];
}

/** An OperationUpdate of CheckpointDurableExecution, as the SDK sends it. */
export interface OperationUpdate {
  Id: string;
  ParentId?: string;
  Name?: string;
  Type: OperationType;
  SubType?: string;
  Action: OperationAction;
  Payload?: string;
  Error?: ErrorObject;
  ContextOptions?: { ReplayChildren?: boolean };
  StepOptions?: { NextAttemptDelaySeconds?: number };
  WaitOptions?: { WaitSeconds?: number };
  CallbackOptions?: { TimeoutSeconds?: number; HeartbeatTimeoutSeconds?: number };
  ChainedInvokeOptions?: { FunctionName?: string; TenantId?: string };
}

/** An Operation of the durable execution state (timestamps in ms). */
export interface Operation {
  Id: string;
  ParentId?: string;
  Name?: string;
  Type: OperationType;
  SubType?: string;
  Status: OperationStatus;
  StartTimestamp: number;
  EndTimestamp?: number;
  ExecutionDetails?: { InputPayload?: string };
  ContextDetails?: { ReplayChildren?: boolean; Result?: string; Error?: ErrorObject };
  StepDetails?: { Attempt?: number; NextAttemptTimestamp?: number; Result?: string; Error?: ErrorObject };
  WaitDetails?: { ScheduledEndTimestamp?: number };
  CallbackDetails?: { CallbackId?: string; Result?: string; Error?: ErrorObject };
  ChainedInvokeDetails?: { Result?: string; Error?: ErrorObject };
}

/** One event of GetDurableExecutionHistory (EventTimestamp in ms; details as Lambda names them). */
export interface HistoryEvent {
  EventType: string;
  SubType?: string;
  EventId: number;
  Id?: string;
  Name?: string;
  EventTimestamp: number;
  ParentId?: string;
  [details: string]: unknown;
}

/** What the service still has to do for an operation when time passes (restored after a restart). */
export interface Deadline {
  operationId: string;
  at: number;
  kind: 'wait' | 'retry' | 'callback-timeout' | 'callback-heartbeat';
}

export interface ExecutionRecord {
  DurableExecutionArn: string;
  DurableExecutionName: string;
  /** Last segment of the ARN; names the state file. */
  executionId: string;
  functionName: string;
  /** The function ARN with the version the execution runs (`$LATEST` or a number). */
  FunctionArn: string;
  version: string;
  Status: ExecutionStatus;
  StartTimestamp: number;
  EndTimestamp?: number;
  InputPayload: string;
  Result?: string;
  Error?: ErrorObject;
  /** DurableConfig.ExecutionTimeout, seconds. */
  executionTimeout: number;
  retentionPeriodInDays: number;
  operations: Operation[];
  events: HistoryEvent[];
  /** Operations changed by the service (or by a checkpoint) not yet handed to the function. */
  updatedOperationIds: string[];
  /** The only checkpoint token accepted now; every checkpoint and every invocation replaces it. */
  checkpointToken: string;
  deadlines: Deadline[];
  /** Invocations (replays included) run so far. */
  invocations: number;
}

export const TERMINAL: ReadonlySet<ExecutionStatus> = new Set(['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'STOPPED']);

/** `arn:…:function:NAME:VERSION/durable-execution/EXECUTION-NAME/EXECUTION-ID`, as Lambda forms it. */
export function executionArn(functionArn: string, name: string, id: string): string {
  return `${functionArn}/durable-execution/${name}/${id}`;
}

export function parseExecutionArn(arn: string): { functionName: string; name: string; executionId: string } | undefined {
  const m = /^arn:aws[\w-]*:lambda:[^:]*:\d{12}:function:([^:/]+)(?::[^/]+)?\/durable-execution\/([^/]+)\/([^/]+)$/.exec(arn);
  return m ? { functionName: m[1], name: m[2], executionId: m[3] } : undefined;
}

/** Callback ids name their execution and operation, so a callback finds its execution without an index. */
export function encodeCallbackId(functionName: string, executionId: string, operationId: string, nonce: string): string {
  return Buffer.from(JSON.stringify({ f: functionName, x: executionId, o: operationId, n: nonce })).toString('base64url');
}

export function decodeCallbackId(callbackId: string): { functionName: string; executionId: string; operationId: string } | undefined {
  try {
    const v = JSON.parse(Buffer.from(callbackId, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (typeof v.f === 'string' && typeof v.x === 'string' && typeof v.o === 'string') {
      return { functionName: v.f, executionId: v.x, operationId: v.o };
    }
  } catch {
    // not one of ours: answered by the caller
  }
  return undefined;
}
