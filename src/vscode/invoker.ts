// The Invoke command: picks the event, runs the function with a cancellable progress
// notification and opens the result as a read-only document; failures reach the user
// through FailureReports, as they do for invokes from anywhere else.
import * as vscode from 'vscode';
import type { FunctionConfig } from '../runtime/functionConfig';
import type { LocalRuntime } from '../runtime/localRuntime';
import type { InvokeResult } from '../runtime/runtimeEvents';
import { EventFileError, type EventStore, type SavedEvent } from './eventStore';
import type { FailureReports } from './failureReports';
import { shownName } from './functionNames';
import type { ResultDocuments } from './resultDocuments';
import { sampleItems, type SampleChoice } from './sampleChoices';
import type { TemplateWorkspace } from './templateWorkspace';

/** How the event is chosen: the default one, a given file, or ask the user. */
export type EventChoice = { kind: 'default' } | { kind: 'file'; event: SavedEvent } | { kind: 'ask' };

export interface InvokeOutcome {
  result: InvokeResult;
  /** The result document, when one was shown. */
  document?: vscode.TextDocument;
}

export class Invoker implements vscode.Disposable {
  constructor(
    private readonly runtime: LocalRuntime,
    private readonly templates: TemplateWorkspace,
    private readonly events: EventStore,
    private readonly results: ResultDocuments,
    private readonly reports: FailureReports,
  ) {}

  /**
   * Invokes `fn` (a version or alias when `qualifier` is given); resolves undefined when the
   * user cancelled or the invoke could not run (already reported).
   */
  async invoke(fn: FunctionConfig, choice: EventChoice = { kind: 'default' }, qualifier?: string): Promise<InvokeOutcome | undefined> {
    const siblings = this.templates.functions(fn.templatePath);
    let event: SavedEvent | undefined;
    let payload: string;
    try {
      const picked =
        choice.kind === 'ask'
          ? await this.pickEvent(fn, siblings)
          : choice.kind === 'file'
            ? choice.event
            : this.events.defaultEvent(fn, siblings);
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
    const target = qualifier ? `${shownName(fn)}:${qualifier}` : shownName(fn);
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Invoking ${target} ${label}`, cancellable: true },
      async (_progress, token) => {
        const abort = new AbortController();
        const cancel = token.onCancellationRequested(() => abort.abort());
        try {
          return await this.runtime.invoke(fn.functionName, payload, { signal: abort.signal, qualifier });
        } catch (err) {
          if (!abort.signal.aborted) this.reports.invokeFailed(target, err);
          return undefined;
        } finally {
          cancel.dispose();
        }
      },
    );
    if (!result) return undefined;
    const editor = await this.results.show(target, result);
    return { result, document: editor.document };
  }

  /** Resolves null when dismissed, undefined for the empty event. */
  private async pickEvent(fn: FunctionConfig, siblings: FunctionConfig[]): Promise<SavedEvent | undefined | null> {
    type Item = vscode.QuickPickItem & { event?: SavedEvent; sample?: SampleChoice };
    const saved: Item[] = this.events
      .list(fn, siblings)
      .map((event) => ({ label: event.name, description: vscode.workspace.asRelativePath(event.file), event }));
    const items: Item[] = [
      ...(saved.length ? [{ label: 'Saved events', kind: vscode.QuickPickItemKind.Separator }, ...saved] : []),
      { label: 'Empty event', description: '{}' },
      { label: 'New event from sample (saved to events/)', kind: vscode.QuickPickItemKind.Separator },
      ...sampleItems(fn),
    ];
    const pick = await vscode.window.showQuickPick(items, { title: `Invoke ${shownName(fn)} with…`, matchOnDescription: true });
    if (!pick) return null;
    if (pick.sample) return this.events.save(fn, pick.sample.id, pick.sample.create(this.runtime.region, this.runtime.accountId));
    return pick.event;
  }

  dispose(): void {}
}
