// The Layers view: the layers the templates define, with the functions that use them, and
// layers referenced by ARN (which need the layers issue to resolve locally).
import * as vscode from 'vscode';
import type { LayerConfig } from '../runtime/functionConfig';
import type { TemplateWorkspace } from './templateWorkspace';

export type LayersNode = { kind: 'layer'; layer: LayerConfig } | { kind: 'external'; arn: string } | { kind: 'user'; functionName: string };

export class LayersTree implements vscode.TreeDataProvider<LayersNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly templates: TemplateWorkspace) {
    this.subscription = templates.onDidChange(() => this.changed.fire(undefined));
  }

  getChildren(node?: LayersNode): LayersNode[] {
    if (!node) {
      const layers = this.templates.layers();
      const defined = new Set(layers.map((l) => l.logicalId));
      const arns = new Set(this.templates.functions().flatMap((f) => f.layers).filter((ref) => !defined.has(ref)));
      return [...layers.map((layer): LayersNode => ({ kind: 'layer', layer })), ...[...arns].map((arn): LayersNode => ({ kind: 'external', arn }))];
    }
    const ref = node.kind === 'layer' ? node.layer.logicalId : node.kind === 'external' ? node.arn : undefined;
    if (!ref) return [];
    return this.templates
      .functions()
      .filter((f) => f.layers.includes(ref))
      .map((f) => ({ kind: 'user', functionName: f.functionName }));
  }

  getTreeItem(node: LayersNode): vscode.TreeItem {
    switch (node.kind) {
      case 'layer': {
        const item = new vscode.TreeItem(node.layer.layerName, vscode.TreeItemCollapsibleState.Collapsed);
        item.description = node.layer.compatibleRuntimes.join(', ') || vscode.workspace.asRelativePath(node.layer.contentPath);
        item.tooltip = `${node.layer.description ?? node.layer.logicalId}\n${node.layer.contentPath}`;
        item.iconPath = new vscode.ThemeIcon('layers');
        item.resourceUri = vscode.Uri.file(node.layer.contentPath);
        item.contextValue = 'layer';
        return item;
      }
      case 'external': {
        const item = new vscode.TreeItem(node.arn.split(':').slice(-2).join(':'), vscode.TreeItemCollapsibleState.Collapsed);
        item.description = 'by ARN';
        item.tooltip = node.arn;
        item.iconPath = new vscode.ThemeIcon('layers-dot');
        return item;
      }
      case 'user': {
        const item = new vscode.TreeItem(node.functionName, vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon('symbol-function');
        return item;
      }
    }
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
