// Time debugged invokes spent stopped at breakpoints. Lambda's Duration of a debugged invoke
// includes it, so the editor shows it apart: the adapter reports each stop of an environment
// (PAUSED_EVENT), and each invocation of that environment gets the stops within its span.
import type * as vscode from 'vscode';
import type { LocalRuntime } from '../runtime/localRuntime';
import { subscribe } from './subscribe';

const KEEP_INTERVALS = 200;
const KEEP_INVOCATIONS = 200;

export class PausedTime implements vscode.Disposable {
  private intervals: Array<{ environmentId: string; from: number; to: number }> = [];
  private readonly byRequest = new Map<string, number>();
  private readonly subscription: vscode.Disposable;

  constructor(runtime: LocalRuntime) {
    this.subscription = subscribe(runtime, 'invocationEnded', (info) => {
      const now = Date.now();
      const paused = this.intervals
        .filter((i) => i.environmentId === info.environmentId)
        .reduce((sum, i) => sum + Math.max(0, Math.min(i.to, now) - Math.max(i.from, info.startedAt)), 0);
      if (paused <= 0) return;
      this.byRequest.set(info.requestId, paused);
      if (this.byRequest.size > KEEP_INVOCATIONS) this.byRequest.delete(this.byRequest.keys().next().value as string);
    });
  }

  /** A stop of an environment ended (the debug adapter's PAUSED_EVENT). */
  add(environmentId: string, from: number, to: number): void {
    this.intervals.push({ environmentId, from, to });
    if (this.intervals.length > KEEP_INTERVALS) this.intervals = this.intervals.slice(-KEEP_INTERVALS);
  }

  /** Milliseconds the invocation spent stopped under the debugger; undefined when it never stopped. */
  of(requestId: string): number | undefined {
    return this.byRequest.get(requestId);
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
