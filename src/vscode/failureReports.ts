// How every invoke's outcome reaches the user, whoever started it (Invoke button, CodeLens, F5,
// palette, API server, an SDK through the Lambda API): the status bar shows the last invoke,
// and a failure — the function's own error (init or handler) or an invoke that could not run
// (build error, missing runtime binary, crash of the runtime) — raises one notification with
// the way to the cause (the .ts line through the build's source map, the log, the output).
import * as path from 'node:path';
import * as vscode from 'vscode';
import { BuildError } from '../runtime/build/buildError';
import { LambdaServiceError } from '../runtime/errors/serviceErrors';
import type { LocalRuntime } from '../runtime/localRuntime';
import type { InvocationInfo, InvokeResult } from '../runtime/runtimeEvents';
import type { AwsCredentials } from './awsCredentials';
import { parseErrorPayload } from './invocationHistory';
import { shownNameOf } from './functionNames';
import { durationText } from './resultDocuments';
import { firstUserFrame, type SourceLocation } from './sourceLocations';
import { subscribe } from './subscribe';
import { ms } from './treeFormat';

/** What a notification said, for the tests and for other extensions. */
export interface FailureReport {
  /** As the extension shows it (the logical id). */
  functionName: string;
  /**
   * `function-error`: the handler or its init failed; `invoke-failed`: the invoke could not run;
   * `async-failed`: an asynchronous event's last attempt failed (its attempts are not notified one by one).
   */
  kind: 'function-error' | 'invoke-failed' | 'async-failed';
  message: string;
  /** Where "Go to Error" leads (source-mapped), when known. */
  location?: SourceLocation;
  requestId?: string;
}

/** The same failure repeated this quickly (an API server under load) is one notification. */
const REPEAT_WINDOW_MS = 2_000;

export class FailureReports implements vscode.Disposable {
  private readonly statusBar = vscode.window.createStatusBarItem('lambdaLab.lastInvoke', vscode.StatusBarAlignment.Left, 10);
  private readonly reported = new WeakSet<object>();
  private readonly lastShown = new Map<string, number>();
  private readonly emitter = new vscode.EventEmitter<FailureReport>();
  /** Fires for every failure notification shown. */
  readonly onDidReport = this.emitter.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly runtime: LocalRuntime,
    private readonly credentials: AwsCredentials,
  ) {
    this.statusBar.name = 'Lambda Lab: last invoke';
    this.subscriptions = [
      subscribe(runtime, 'invocationStarted', (info) => this.showRunning(info)),
      subscribe(runtime, 'invocationEnded', (info, result) => this.onEnded(info, result)),
      subscribe(runtime, 'invokeFailed', (name, err) => this.invokeFailed(name, err)),
    ];
  }

  /**
   * An invoke that could not run; reported once per error object, so callers that also catch
   * the error the runtime announced (the Invoke command) do not notify twice.
   */
  invokeFailed(name: string, err: unknown): void {
    const error = err instanceof Error ? err : new Error(String(err));
    if (this.reported.has(error)) return;
    this.reported.add(error);
    const fn = this.runtime.getFunction(name);
    const functionName = shownNameOf(this.runtime, name);
    const detail = error instanceof LambdaServiceError ? `${error.type}: ${error.message}` : error.message;
    this.statusBar.text = `$(error) λ ${functionName}`;
    this.statusBar.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
    this.statusBar.tooltip = `${functionName} could not be invoked: ${detail}`;
    this.statusBar.command = 'lambdaLab.showOutput';
    this.statusBar.show();
    const problem = error instanceof BuildError ? error.problems.find((p) => p.file && p.line) : undefined;
    const location = problem ? { file: problem.file!, line: problem.line!, column: problem.column ?? 1 } : undefined;
    const where = fn ? ` (${path.basename(path.dirname(fn.templatePath))}/${path.basename(fn.templatePath)})` : '';
    this.notify(
      { functionName, kind: 'invoke-failed', message: `Lambda Lab: could not invoke ${functionName}${where}: ${detail}`, location },
      'Show Output',
    );
  }

  private onEnded(info: InvocationInfo, result: InvokeResult): void {
    const error = result.functionError ? parseErrorPayload(result.payload) : undefined;
    const errorType = result.functionError ? (error?.errorType ?? 'Error') : undefined;
    const functionName = shownNameOf(this.runtime, info.functionName);
    this.statusBar.text = `${errorType ? '$(error)' : '$(pass)'} λ ${functionName} ${errorType ? `${errorType} ` : ''}${ms(result.durationMs)}${result.cold ? ' (cold)' : ''}`;
    const paused = result.pausedMs;
    if (paused) this.statusBar.text += ` $(debug-pause) ${ms(paused)}`;
    this.statusBar.tooltip = `Last invoke of ${functionName}: ${errorType ?? 'success'}, ${durationText(result.durationMs, paused)}, ${result.cold ? 'cold' : 'warm'} start. Click to open the result.`;
    this.statusBar.backgroundColor = errorType ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    this.statusBar.command = { command: 'lambdaLab.openInvocationResult', title: 'Open Result', arguments: [result.requestId] };
    this.statusBar.show();
    // An asynchronous attempt is one of several: its event's outcome is what gets notified (asyncFailed).
    if (!errorType || info.invocationType === 'Event') return;
    const fn = this.runtime.getFunction(info.functionName);
    const location = fn && firstUserFrame(error?.trace, [fn.codeDir, ...(fn.build ? [fn.build.sourceDir] : [])]);
    const message = `${functionName} failed: ${errorType}: ${error?.errorMessage ?? ''}`;
    const credentials = this.credentials.explain(`${errorType}: ${error?.errorMessage ?? ''}`);
    this.notify(
      {
        functionName,
        kind: 'function-error',
        message: credentials ? `${message} — ${credentials}` : message,
        location,
        requestId: result.requestId,
      },
      credentials ? 'Select AWS Profile' : 'Open Log',
    );
  }

  /** An asynchronous event that failed for good: retries exhausted, too old, or dropped. */
  asyncFailed(name: string, outcome: string, requestId: string, showAttempts: () => void): void {
    const functionName = shownNameOf(this.runtime, name);
    this.notify(
      { functionName, kind: 'async-failed', message: `${functionName} event ${requestId.slice(0, 8)} failed: ${outcome}`, requestId },
      'Show Attempts',
      showAttempts,
    );
  }

  private showRunning(info: InvocationInfo): void {
    const functionName = shownNameOf(this.runtime, info.functionName);
    this.statusBar.text = `$(sync~spin) ${functionName}`;
    this.statusBar.tooltip = `Invoking ${functionName}…`;
    this.statusBar.backgroundColor = undefined;
    this.statusBar.command = undefined;
    this.statusBar.show();
  }

  private notify(
    report: FailureReport,
    fallbackAction: 'Open Log' | 'Show Output' | 'Select AWS Profile' | 'Show Attempts',
    showAttempts?: () => void,
  ): void {
    const key = `${report.functionName}\0${report.message}`;
    const now = Date.now();
    if (now - (this.lastShown.get(key) ?? 0) < REPEAT_WINDOW_MS) return;
    this.lastShown.set(key, now);
    this.emitter.fire(report);
    const actions = report.location ? ['Go to Error', fallbackAction] : [fallbackAction];
    // Not awaited: the notification stays up while whatever invoked carries on.
    void vscode.window.showErrorMessage(report.message, ...actions).then(async (pick) => {
      if (pick === 'Go to Error' && report.location) {
        const pos = new vscode.Position(report.location.line - 1, report.location.column - 1);
        await vscode.window.showTextDocument(vscode.Uri.file(report.location.file), { selection: new vscode.Range(pos, pos) });
      } else if (pick === 'Open Log' && report.requestId) {
        await vscode.commands.executeCommand('lambdaLab.openInvocationLog', report.requestId);
      } else if (pick === 'Select AWS Profile') {
        await vscode.commands.executeCommand('lambdaLab.selectAwsProfile');
      } else if (pick === 'Show Attempts') {
        showAttempts?.();
      } else if (pick === 'Show Output') {
        await vscode.commands.executeCommand('lambdaLab.showOutput');
      }
    });
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.statusBar.dispose();
    this.emitter.dispose();
  }
}
