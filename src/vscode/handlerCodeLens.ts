// `▶ Invoke | Debug | Logs` (as codicons) above every exported handler that a template references.
import * as vscode from 'vscode';
import { shownName } from './functionNames';
import { locateHandler } from './handlerLocator';
import type { TemplateWorkspace } from './templateWorkspace';

export class HandlerCodeLens implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly templates: TemplateWorkspace) {
    this.subscription = templates.onDidChange(() => this.changed.fire());
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    if (doc.uri.scheme !== 'file') return [];
    const text = doc.getText();
    const here = this.templates
      .functions()
      .map((fn) => ({ fn, at: locateHandler(fn, text) }))
      .filter(({ at }) => at?.file === doc.uri.fsPath);
    return here.flatMap(({ fn, at }) => {
      const range = doc.lineAt(at!.line).range;
      // Two functions sharing one handler file get their names on the lens.
      const suffix = here.length > 1 ? ` ${shownName(fn)}` : '';
      return [
        new vscode.CodeLens(range, {
          title: `$(play) Invoke${suffix}`,
          command: 'lambdaLab.invoke',
          arguments: [fn.functionName],
          tooltip: `Invoke ${shownName(fn)} with its last used event`,
        }),
        new vscode.CodeLens(range, {
          title: '$(debug-alt) Debug',
          command: 'lambdaLab.debug',
          arguments: [fn.functionName],
          tooltip: `Debug ${shownName(fn)}: start a session and invoke it`,
        }),
        new vscode.CodeLens(range, {
          title: '$(output) Logs',
          command: 'lambdaLab.openLogs',
          arguments: [fn.functionName],
          tooltip: `Open the latest log stream of ${shownName(fn)}`,
        }),
      ];
    });
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
