// A function whose runtime asks for a Node major this machine cannot provide runs on another
// Node instead: the local one when installing it failed, or a configured binary of another major
// (the runtime's diagnostic says which, with a structured runtimeVersion note). That stays
// visible where the user looks until it is resolved: on the function's row, and as a notification
// on the first invoke after it was found. A new install attempt (or a change of
// lambdaLab.nodeBinaries) clears it; a failing attempt marks it again.
import * as vscode from 'vscode';
import type { LocalRuntime } from '../runtime/localRuntime';
import { shownNameOf } from './functionNames';
import { subscribe } from './subscribe';

export class RuntimeMismatches implements vscode.Disposable {
  /** Runtime id (`nodejs24.x`) → the runtime's warning. */
  private readonly mismatched = new Map<string, string>();
  private readonly notified = new Set<string>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly runtime: LocalRuntime) {
    this.subscriptions = [
      subscribe(runtime, 'diagnostic', ({ message, runtimeVersion }) => {
        if (runtimeVersion?.state === 'mismatch') this.set(runtimeVersion.runtime, message);
        else if (runtimeVersion?.state === 'retrying') this.clear(runtimeVersion.runtime);
      }),
      subscribe(runtime, 'invocationEnded', (info) => this.notifyOnce(info.functionName)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration('lambdaLab.nodeBinaries')) return;
        for (const id of [...this.mismatched.keys()]) this.clear(id);
      }),
    ];
  }

  /** Why functions of this runtime do not run on its Node version; undefined when they do. */
  of(runtimeId: string): string | undefined {
    return this.mismatched.get(runtimeId);
  }

  private set(runtimeId: string, message: string): void {
    this.mismatched.set(runtimeId, message);
    this.notified.delete(runtimeId);
    this.changed.fire();
  }

  private clear(runtimeId: string): void {
    if (!this.mismatched.delete(runtimeId)) return;
    this.changed.fire();
  }

  private notifyOnce(functionName: string): void {
    const runtimeId = this.runtime.getFunction(functionName)?.runtime;
    const warning = runtimeId && this.mismatched.get(runtimeId);
    if (!runtimeId || !warning || this.notified.has(runtimeId)) return;
    this.notified.add(runtimeId);
    void vscode.window
      .showWarningMessage(
        `Lambda Lab: ${shownNameOf(this.runtime, functionName)} (${runtimeId}) did not run on Node ${runtimeId.replace(/^nodejs|\.x$/g, '')}: ${warning}`,
        'Open Settings',
      )
      .then((pick) => {
        if (pick) void vscode.commands.executeCommand('workbench.action.openSettings', 'lambdaLab.nodeBinaries');
      });
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
  }
}
