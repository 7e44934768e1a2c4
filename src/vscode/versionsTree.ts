// The Versions view. Until versions and aliases are emulated it shows each function's
// `$LATEST` with its warm environments.
import * as vscode from 'vscode';
import type { LocalRuntime } from '../runtime/localRuntime';
import { subscribe } from './subscribe';
import type { TemplateWorkspace } from './templateWorkspace';

export type VersionsNode = { kind: 'function'; functionName: string } | { kind: 'version'; functionName: string; version: string };

export class VersionsTree implements vscode.TreeDataProvider<VersionsNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly runtime: LocalRuntime,
    private readonly templates: TemplateWorkspace,
  ) {
    const refresh = () => this.changed.fire(undefined);
    this.subscriptions = [
      templates.onDidChange(refresh),
      subscribe(runtime, 'environmentStarted', refresh),
      subscribe(runtime, 'environmentStopped', refresh),
    ];
  }

  getChildren(node?: VersionsNode): VersionsNode[] {
    if (!node) return this.templates.functions().map((f): VersionsNode => ({ kind: 'function', functionName: f.functionName })).sort((a, b) => a.functionName.localeCompare(b.functionName));
    if (node.kind === 'function') return [{ kind: 'version', functionName: node.functionName, version: '$LATEST' }];
    return [];
  }

  getTreeItem(node: VersionsNode): vscode.TreeItem {
    if (node.kind === 'function') {
      const item = new vscode.TreeItem(node.functionName, vscode.TreeItemCollapsibleState.Expanded);
      item.iconPath = new vscode.ThemeIcon('symbol-function');
      item.id = `versions:${node.functionName}`;
      return item;
    }
    const warm = this.runtime.environments(node.functionName).filter((e) => e.version === node.version && e.state !== 'stopped').length;
    const item = new vscode.TreeItem(node.version, vscode.TreeItemCollapsibleState.None);
    item.description = warm ? `${warm} warm` : 'unpublished code';
    item.iconPath = new vscode.ThemeIcon('git-commit');
    item.contextValue = 'version';
    return item;
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
    this.changed.dispose();
  }
}
