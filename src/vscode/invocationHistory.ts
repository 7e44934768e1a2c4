// The recent invocations of each function, whoever invoked them (button, CLI, SDK, debug
// session): the Functions view lists them and their results can be reopened.
import * as vscode from 'vscode';
import type { LocalRuntime } from '../runtime/localRuntime';
import type { InvocationInfo, InvokeResult } from '../runtime/runtimeEvents';
import { subscribe } from './subscribe';

export interface Invocation {
  info: InvocationInfo;
  result: InvokeResult;
  endedAt: number;
  /** `errorType` of a failed invoke, read from its payload. */
  errorType?: string;
}

const KEEP_PER_FUNCTION = 10;

export class InvocationHistory implements vscode.Disposable {
  private readonly byFunction = new Map<string, Invocation[]>();
  private readonly changed = new vscode.EventEmitter<Invocation>();
  readonly onDidAdd = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(runtime: LocalRuntime) {
    this.subscription = subscribe(runtime, 'invocationEnded', (info, result) => this.add(info, result));
  }

  /** Newest first. */
  recent(functionName: string): Invocation[] {
    return this.byFunction.get(functionName) ?? [];
  }

  find(requestId: string): Invocation | undefined {
    for (const list of this.byFunction.values()) {
      const hit = list.find((i) => i.info.requestId === requestId);
      if (hit) return hit;
    }
    return undefined;
  }

  private add(info: InvocationInfo, result: InvokeResult): void {
    const invocation: Invocation = {
      info,
      result,
      endedAt: Date.now(),
      errorType: result.functionError ? errorTypeOf(result.payload) : undefined,
    };
    const list = [invocation, ...this.recent(info.functionName)].slice(0, KEEP_PER_FUNCTION);
    this.byFunction.set(info.functionName, list);
    this.changed.fire(invocation);
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

/** Lambda's error payload shape: `{ errorType, errorMessage, trace }`. */
export interface LambdaErrorPayload {
  errorType?: string;
  errorMessage?: string;
  trace?: string[];
}

export function parseErrorPayload(payload: Buffer): LambdaErrorPayload | undefined {
  try {
    const value: unknown = JSON.parse(payload.toString('utf8'));
    return value && typeof value === 'object' ? (value as LambdaErrorPayload) : undefined;
  } catch {
    return undefined;
  }
}

function errorTypeOf(payload: Buffer): string {
  return parseErrorPayload(payload)?.errorType ?? 'Error';
}
