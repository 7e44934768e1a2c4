// Typed events the runtime emits. Views, the debug adapter and the CLI subscribe; nobody polls.
import { EventEmitter } from 'node:events';
import type { DebugBridge } from './families/runtimeFamily';
import type { FunctionConfig, TemplateModel } from './functionConfig';

export type EnvironmentState = 'starting' | 'initializing' | 'ready' | 'busy' | 'frozen' | 'stopped';

/** A snapshot of one execution environment, safe to hand to any subscriber. */
export interface EnvironmentInfo {
  /** Unique within the runtime, e.g. `HelloFunction:$LATEST:3`. */
  id: string;
  /** 1-based counter per function+version, for thread names. */
  ordinal: number;
  functionName: string;
  logicalId: string;
  version: string;
  pid: number | undefined;
  state: EnvironmentState;
  /** Lambda-style stream name `2026/11/27/[$LATEST]<32 hex>`. */
  logStreamName: string;
  /** Runtime API endpoint host:port (AWS_LAMBDA_RUNTIME_API). */
  runtimeApi: string;
  /** The runtime family running it (`node`, `provided`, ...) and how a debugger reaches it. */
  family: string;
  debugBridge: DebugBridge;
  /** Set once the handler process's debugger endpoint listens (debugged environments only). */
  inspectorUrl?: string;
  /** True when a debugger asked this environment to wait for it before init. */
  debug: boolean;
  startedAt: number;
  invocations: number;
}

export type StopReason =
  | 'idle' // reaped after the idle time
  | 'timeout' // Task timed out
  | 'crash' // process exited or was killed unexpectedly
  | 'out-of-memory'
  | 'init-error'
  | 'code-changed' // $LATEST recycled after an edit
  | 'stopped' // asked to stop (user, shutdown, debug session end)
  | 'config-changed';

export interface InvocationInfo {
  requestId: string;
  functionName: string;
  version: string;
  environmentId: string;
  cold: boolean;
  startedAt: number;
  /** `Event`: one attempt of a queued asynchronous event, whose outcome the queue reports. */
  invocationType?: 'Event';
}

export interface InvokeResult {
  requestId: string;
  /** The response body exactly as the function returned it (JSON text for Node handlers). */
  payload: Buffer;
  /** `Unhandled` for errors thrown/returned by the handler or the runtime, as X-Amz-Function-Error says. */
  functionError?: 'Unhandled' | 'Handled';
  /** Set when the result came from a response stream (awslambda.streamifyResponse). */
  streamed?: boolean;
  cold: boolean;
  environmentId: string;
  version: string;
  durationMs: number;
  /** Of durationMs, the time a debugger held the process stopped (breakpoints, steps); absent when it never stopped. */
  pausedMs?: number;
  billedDurationMs: number;
  initDurationMs?: number;
  maxMemoryUsedMB: number;
  memorySizeMB: number;
  /** The invocation's log lines (START..REPORT), as `LogType: Tail` returns them. */
  logTail: string;
  /**
   * Set when the invoke started a durable execution and answered once it ended: durationMs is the
   * execution's, across its invocations; no one environment ran it (no billing, memory or environment).
   */
  durableExecutionArn?: string;
}

export type LogKind = 'platform' | 'function';

export interface LogRecord {
  functionName: string;
  version: string;
  environmentId: string;
  logGroup: string;
  logStreamName: string;
  /** ms since epoch. */
  timestamp: number;
  /** The record exactly as written to the stream (a text line or a JSON object's text). */
  message: string;
  kind: LogKind;
  requestId?: string;
  level?: string;
  /** Where the handler's code wrote it (console call site), when the bootstrap knows it. */
  source?: { file: string; line: number; column: number };
}

/**
 * Functions of `runtime` run on a language version other than the one it names (`mismatch`:
 * `nodejs24.x` on the local Node 20), or a new attempt to provide that version began (`retrying`).
 */
export interface RuntimeVersionNote {
  runtime: string;
  state: 'mismatch' | 'retrying';
}

export interface RuntimeEvents {
  templateLoaded: [TemplateModel];
  /** Functions were added, removed or changed (template edited, version published...). */
  functionsChanged: [FunctionConfig[]];
  environmentStarted: [EnvironmentInfo];
  /** A debugged environment's inspector is listening and its bootstrap waits for a debugger. */
  environmentInspectorReady: [EnvironmentInfo];
  environmentStateChanged: [EnvironmentInfo];
  environmentStopped: [EnvironmentInfo, StopReason];
  invocationStarted: [InvocationInfo];
  invocationEnded: [InvocationInfo, InvokeResult];
  /** An invoke that could not run (build error, missing runtime binary, crash of the runtime itself), whoever asked for it. */
  invokeFailed: [functionName: string, error: Error];
  log: [LogRecord];
  /** The runtime's own diagnostics (build output, warnings) for an output channel. */
  diagnostic: [
    {
      level: 'info' | 'warning' | 'error';
      message: string;
      /** A long step the user is waiting for (e.g. a download). */ progress?: boolean;
      /** What the message says of a runtime's language version, for views that mark its functions. */
      runtimeVersion?: RuntimeVersionNote;
    },
  ];
}

/** EventEmitter with the event map above checked at compile time. */
export class RuntimeEventEmitter extends EventEmitter<RuntimeEvents> {}
