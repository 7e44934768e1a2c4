// The Invoke command: picks the event, runs the function with a cancellable progress
// notification, opens the result as a read-only JSON document and reports it in the
// status bar; errors say which file/function and what to do.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { FunctionConfig } from '../runtime/functionConfig';
import { LambdaServiceError } from '../runtime/errors/serviceErrors';
import type { LocalRuntime } from '../runtime/localRuntime';
import type { InvokeResult } from '../runtime/runtimeEvents';
import { EventFileError, type EventStore, type SavedEvent } from './eventStore';
import { parseErrorPayload } from './invocationHistory';
import type { ResultDocuments } from './resultDocuments';
import { SAMPLE_EVENTS, type SampleEvent } from './sampleEvents';
import { firstUserFrame } from './sourceLocations';
import type { TemplateWorkspace } from './templateWorkspace';
import { ms } from './treeFormat';

/** How the event is chosen: the default one, a given file, or ask the user. */
export type EventChoice = { kind: 'default' } | { kind: 'file'; event: SavedEvent } | { kind: 'ask' };

export interface InvokeOutcome {
  result: InvokeResult;
  /** The result document, when one was shown. */
  document?: vscode.TextDocument;
}

export class Invoker implements vscode.Disposable {
  private readonly statusBar = vscode.window.createStatusBarItem('lambdaLab.lastInvoke', vscode.StatusBarAlignment.Left, 10);

  constructor(
    private readonly runtime: LocalRuntime,
    private readonly templates: TemplateWorkspace,
    private readonly events: EventStore,
    private readonly results: ResultDocuments,
  ) {
    this.statusBar.name = 'Lambda Lab: last invoke';
  }

  /**
   * Invokes `fn` (a version or alias when `qualifier` is given); resolves undefined when the
   * user cancelled or the invoke could not run (already reported).
   */
  async invoke(fn: FunctionConfig, choice: EventChoice = { kind: 'default' }, qualifier?: string): Promise<InvokeOutcome | undefined> {
    const siblings = this.templates.functions(fn.templatePath);
    let event: SavedEvent | undefined;
    let payload: string;
    try {
      const picked = choice.kind === 'ask' ? await this.pickEvent(fn, siblings) : choice.kind === 'file' ? choice.event : this.events.defaultEvent(fn, siblings);
      if (picked === null) return undefined; // quick pick dismissed
      event = picked;
      payload = event ? this.events.read(event.file) : '{}';
    } catch (err) {
      if (err instanceof EventFileError) {
        // Not awaited: the message stays up while the command resolves.
        void vscode.window.showErrorMessage(err.message, 'Open Event File').then((open) => {
          if (!open) return;
          const pos = new vscode.Position(err.line - 1, err.column - 1);
          void vscode.window.showTextDocument(vscode.Uri.file(err.file), { selection: new vscode.Range(pos, pos) });
        });
        return undefined;
      }
      throw err;
    }
    await this.events.remember(fn, event);

    const label = event ? `with ${event.name}` : 'with {}';
    const target = qualifier ? `${fn.functionName}:${qualifier}` : fn.functionName;
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Invoking ${target} ${label}`, cancellable: true },
      async (_progress, token) => {
        const abort = new AbortController();
        const cancel = token.onCancellationRequested(() => abort.abort());
        this.showRunning(fn);
        try {
          return await this.runtime.invoke(fn.functionName, payload, { signal: abort.signal, qualifier });
        } catch (err) {
          this.showFailure(fn, err);
          return undefined;
        } finally {
          cancel.dispose();
        }
      },
    );
    if (!result) return undefined;
    this.showResult(fn, result);
    const editor = await this.results.show(target, result);
    if (result.functionError) void this.reportFunctionError(fn, result);
    return { result, document: editor.document };
  }

  /** Resolves null when dismissed, undefined for the empty event. */
  private async pickEvent(fn: FunctionConfig, siblings: FunctionConfig[]): Promise<SavedEvent | undefined | null> {
    type Item = vscode.QuickPickItem & { event?: SavedEvent; sample?: SampleEvent };
    const saved: Item[] = this.events.list(fn, siblings).map((event) => ({ label: event.name, description: vscode.workspace.asRelativePath(event.file), event }));
    const items: Item[] = [
      ...(saved.length ? [{ label: 'Saved events', kind: vscode.QuickPickItemKind.Separator }, ...saved] : []),
      { label: 'Empty event', description: '{}' },
      { label: 'New event from sample (saved to events/)', kind: vscode.QuickPickItemKind.Separator },
      ...SAMPLE_EVENTS.map((sample) => ({ label: sample.label, description: sample.description, sample })),
    ];
    const pick = await vscode.window.showQuickPick(items, { title: `Invoke ${fn.functionName} with…`, matchOnDescription: true });
    if (!pick) return null;
    if (pick.sample) return this.events.save(fn, pick.sample.id, pick.sample.create(this.runtime.region, this.runtime.accountId));
    return pick.event;
  }

  private showRunning(fn: FunctionConfig): void {
    this.statusBar.text = `$(sync~spin) ${fn.functionName}`;
    this.statusBar.tooltip = `Invoking ${fn.functionName}…`;
    this.statusBar.backgroundColor = undefined;
    this.statusBar.command = undefined;
    this.statusBar.show();
  }

  private showResult(fn: FunctionConfig, result: InvokeResult): void {
    const error = result.functionError ? parseErrorPayload(result.payload)?.errorType ?? 'Error' : undefined;
    this.statusBar.text = `${error ? '$(error)' : '$(pass)'} λ ${fn.functionName} ${error ? `${error} ` : ''}${ms(result.durationMs)}${result.cold ? ' (cold)' : ''}`;
    this.statusBar.tooltip = `Last invoke of ${fn.functionName}: ${error ?? 'success'}, ${ms(result.durationMs)}, ${result.cold ? 'cold' : 'warm'} start. Click to open the result.`;
    this.statusBar.backgroundColor = error ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    this.statusBar.command = { command: 'lambdaLab.openInvocationResult', title: 'Open Result', arguments: [result.requestId] };
    this.statusBar.show();
  }

  private showFailure(fn: FunctionConfig, err: unknown): void {
    this.statusBar.text = `$(error) λ ${fn.functionName}`;
    this.statusBar.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
    const detail = err instanceof LambdaServiceError ? `${err.type}: ${err.message}` : (err as Error).message;
    this.statusBar.tooltip = `${fn.functionName} could not be invoked: ${detail}`;
    void vscode.window.showErrorMessage(`Lambda Lab: could not invoke ${fn.functionName} (${path.basename(fn.templatePath)}): ${detail}`, 'Show Output').then((pick) => {
      if (pick) void vscode.commands.executeCommand('lambdaLab.showOutput');
    });
  }

  private async reportFunctionError(fn: FunctionConfig, result: InvokeResult): Promise<void> {
    const error = parseErrorPayload(result.payload);
    const at = firstUserFrame(error?.trace, [fn.codeDir, ...(fn.build ? [fn.build.sourceDir] : [])]);
    const actions = at ? ['Go to Error', 'Open Log'] : ['Open Log'];
    const pick = await vscode.window.showErrorMessage(`${fn.functionName} failed: ${error?.errorType ?? 'Error'}: ${error?.errorMessage ?? ''}`, ...actions);
    if (pick === 'Go to Error' && at) {
      const pos = new vscode.Position(at.line - 1, at.column - 1);
      await vscode.window.showTextDocument(vscode.Uri.file(at.file), { selection: new vscode.Range(pos, pos) });
    } else if (pick === 'Open Log') {
      await vscode.commands.executeCommand('lambdaLab.openInvocationLog', result.requestId);
    }
  }

  dispose(): void {
    this.statusBar.dispose();
  }
}
