// Everything a LocalRuntime can be told, and the hooks other rooms plug into it.
import type { FunctionConfig } from './functionConfig';

export interface RuntimeOptions {
  /** Multiplies the durations durable functions ask for (waits, retry delays, callback timeouts): 1 real time (default), 0.01 a hundred times faster, 0 no waiting. */
  durableTimeScale?: number;
  /** Folder for state: logs, builds, versions (default `<template dir>/.lambda-lab`). */
  stateDir?: string;
  /** AWS_REGION / AWS_DEFAULT_REGION given to functions (default us-east-1). */
  region?: string;
  /** 12-digit account id used in ARNs (default 123456789012). */
  accountId?: string;
  /** SIGSTOP handler processes between invokes, as Lambda freezes them (default true). */
  freeze?: boolean;
  /** Stop environments idle for this long (default 10 min; 0 = never). */
  idleTimeoutMs?: number;
  /** Local cap on environments per function when ReservedConcurrentExecutions is unset (default 10). */
  concurrencyCap?: number;
  /** Node binary per runtime, e.g. `{ "nodejs22.x": "/opt/node22/bin/node" }`; default: the `node` running us. */
  nodeBinaries?: Record<string, string>;
  /** Python interpreter per runtime, e.g. `{ "python3.12": "/usr/bin/python3.12" }`; default: the project's .venv, else `python3` on PATH. */
  pythonBinaries?: Record<string, string>;
  /** Host environment variables passed through to handler processes (names or `PREFIX*`). */
  hostEnvAllowlist?: string[];
  /** AWS_PROFILE handlers get (the user's choice of shared-config profile); default: the host's. */
  awsProfile?: string;
  /** Keep a Node process per command line started and waiting, so cold starts skip the spawn (default true). */
  prestart?: boolean;
  /**
   * Waiting processes load the debugger's support ahead (then turn it off), so a debugged cold
   * start stops at its first breakpoint ~12 ms sooner, at ~2.5 MB more per waiting or idle
   * process. For hosts of a debugger, as the editor is (default false).
   */
  prestartDebugger?: boolean;
  /** Watch code folders and recycle $LATEST environments on change (default true). */
  watchCode?: boolean;
  /** Log streams kept per function on disk (default 50). */
  logRetention?: number;
  /**
   * Multiplies the asynchronous queue's retry delays and event ages (default 1: Lambda's
   * 1 and 2 minutes after function errors); 0.001 makes a minute 60 ms for local work.
   */
  asyncRetryDelayScale?: number;
}

/** Lets the debug adapter decide which new environments start under a debugger. */
export interface DebugController {
  /** True if an environment about to start for this function/version must wait for a debugger before init. */
  shouldDebug(fn: FunctionConfig, version: string): boolean;
}

/** A version or alias resolved to what actually runs (store/ provides it). */
export interface ResolvedQualifier {
  /** `$LATEST` or a published version number. */
  version: string;
  /** The configuration of that version (a published version's codeDir points at its snapshot). */
  config: FunctionConfig;
}

/** Resolves `Qualifier` (version number or alias, possibly weighted) for an invoke. */
export type QualifierResolver = (fn: FunctionConfig, qualifier: string) => Promise<ResolvedQualifier>;

/** Materialises a function version's layers into one folder laid out like `/opt`; undefined when it has none. */
export type LayerMaterializer = (fn: FunctionConfig, version: string) => Promise<string | undefined>;

export interface InvokeOptions {
  /** Version or alias; default `$LATEST`. */
  qualifier?: string;
  /** Base64 JSON as Lambda's X-Amz-Client-Context. */
  clientContext?: string;
  /** Use this request id instead of a fresh UUID. */
  requestId?: string;
  /** Abort waiting; the environment is destroyed if the invoke was running (as a timeout would). */
  signal?: AbortSignal;
  /** Asynchronous invokes get the 1 MB payload limit instead of 6 MB. */
  invocationType?: 'RequestResponse' | 'Event';
  /** DurableExecutionName of a durable function's execution (starting one twice with the same input gives the same one). */
  durableExecutionName?: string;
  /** Called with the ARN as soon as a durable function's execution started (before it ends). */
  onDurableExecution?: (durableExecutionArn: string) => void;
  /** Called with each chunk of a streamed response (streamifyResponse), as it arrives, with the stream's Content-Type. */
  onStreamChunk?: (chunk: Buffer, contentType: string | undefined) => void;
}
