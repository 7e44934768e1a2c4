// The Layers view: the templates' layers with their versions (newest first, each expanding to
// its immutable file tree; files open read-only) and the functions using them, plus layers
// referenced by ARN.
import { readdir } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LayerConfig } from '../runtime/functionConfig';
import type { LayerVersionRecord } from '../runtime/layers/layerStore';
import type { Deployments } from './deployments';
import { readOnlyUri } from './readOnlyFiles';
import type { TemplateWorkspace } from './templateWorkspace';
import { cell } from './treeFormat';
import { TreeRefresh } from './treeRefresh';

export type LayersNode =
  | { kind: 'layer'; layer: LayerConfig }
  | { kind: 'external'; arn: string }
  | { kind: 'layerVersion'; layer: LayerConfig; record: LayerVersionRecord; arn: string; dir: string; latest: boolean }
  | { kind: 'users'; ref: string; templatePath: string }
  | { kind: 'user'; functionName: string }
  | { kind: 'folder'; dir: string }
  | { kind: 'file'; file: string };

export class LayersTree implements vscode.TreeDataProvider<LayersNode>, vscode.Disposable {
  private readonly refresh = new TreeRefresh<LayersNode>(100, { rows: () => this.topRows(), keyOf: topRowKey });
  readonly onDidChangeTreeData = this.refresh.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly templates: TemplateWorkspace,
    private readonly deployments: Deployments,
  ) {
    this.subscriptions = [templates.onDidChange(() => this.refresh.soon()), deployments.onDidChange(() => this.refresh.soon())];
  }

  /** The templates' layers, then layers functions reference by ARN. */
  private topRows(): LayersNode[] {
    const layers = this.templates.layers();
    const defined = new Set(layers.map((l) => l.logicalId));
    const arns = new Set(
      this.templates
        .functions()
        .flatMap((f) => f.layers)
        .filter((ref) => !defined.has(ref)),
    );
    return [
      ...layers.map((layer): LayersNode => ({ kind: 'layer', layer })),
      ...[...arns].map((arn): LayersNode => ({ kind: 'external', arn })),
    ];
  }

  async getChildren(node?: LayersNode): Promise<LayersNode[]> {
    if (!node) return this.refresh.roots();
    switch (node.kind) {
      case 'layer': {
        const { layer } = node;
        const store = (await this.deployments.forTemplate(layer.templatePath)).layers;
        const records = await store.versions(layer.layerName).catch(() => []);
        const newest = records[records.length - 1];
        return [
          ...[...records].reverse().map((record): LayersNode => ({
            kind: 'layerVersion',
            layer,
            record,
            arn: store.arn(record),
            dir: store.contentDir(record),
            latest: record === newest,
          })),
          { kind: 'users', ref: layer.logicalId, templatePath: layer.templatePath },
        ];
      }
      case 'external':
        return this.users(node.arn);
      case 'users':
        return this.users(node.ref, node.templatePath);
      case 'layerVersion':
        return listFolder(node.dir);
      case 'folder':
        return listFolder(node.dir);
      default:
        return [];
    }
  }

  getTreeItem(node: LayersNode): vscode.TreeItem {
    switch (node.kind) {
      case 'layer': {
        const item = new vscode.TreeItem(node.layer.layerName, vscode.TreeItemCollapsibleState.Collapsed);
        item.description = node.layer.compatibleRuntimes.join(', ') || vscode.workspace.asRelativePath(node.layer.contentPath);
        item.tooltip = `${node.layer.description ?? node.layer.logicalId}\n${node.layer.contentPath}`;
        item.iconPath = new vscode.ThemeIcon('layers');
        item.contextValue = 'layer';
        item.id = `layer:${node.layer.templatePath}#${node.layer.logicalId}`;
        return item;
      }
      case 'external': {
        const item = new vscode.TreeItem(node.arn.split(':').slice(-2).join(':'), vscode.TreeItemCollapsibleState.Collapsed);
        item.description = 'by ARN';
        item.tooltip = node.arn;
        item.iconPath = new vscode.ThemeIcon('layers-dot');
        return item;
      }
      case 'layerVersion': {
        const { record } = node;
        const item = new vscode.TreeItem(`Version ${record.version}`, vscode.TreeItemCollapsibleState.Collapsed);
        item.description = [
          node.latest ? 'latest' : '',
          record.createdDate.slice(0, 16).replace('T', ' '),
          `sha256 ${record.codeSha256.slice(0, 8)}`,
          `${record.codeSize} bytes`,
        ]
          .filter(Boolean)
          .join(' · ');
        item.tooltip = new vscode.MarkdownString(
          [
            `**${cell(record.layerName)}** version ${record.version}${record.description ? ` — ${cell(record.description)}` : ''}`,
            '',
            `\`${cell(node.arn)}\``,
            '',
            `CodeSha256 \`${cell(record.codeSha256)}\``,
          ].join('\n'),
        );
        item.iconPath = new vscode.ThemeIcon('versions');
        item.contextValue = 'layerVersion';
        item.id = `layer:${node.layer.templatePath}#${node.layer.logicalId}@${record.version}`;
        return item;
      }
      case 'users': {
        const count = this.users(node.ref, node.templatePath).length;
        const item = new vscode.TreeItem(
          'Used by',
          count ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None,
        );
        item.description = count ? String(count) : 'no function';
        item.iconPath = new vscode.ThemeIcon('references');
        item.id = `layerUsers:${node.templatePath}#${node.ref}`;
        return item;
      }
      case 'user': {
        const item = new vscode.TreeItem(node.functionName, vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon('symbol-function');
        item.contextValue = 'layerUser';
        return item;
      }
      case 'folder': {
        const item = new vscode.TreeItem(path.basename(node.dir), vscode.TreeItemCollapsibleState.Collapsed);
        item.resourceUri = vscode.Uri.file(node.dir);
        item.iconPath = vscode.ThemeIcon.Folder;
        return item;
      }
      case 'file': {
        const item = new vscode.TreeItem(path.basename(node.file), vscode.TreeItemCollapsibleState.None);
        item.resourceUri = vscode.Uri.file(node.file);
        item.iconPath = vscode.ThemeIcon.File;
        item.tooltip = `${node.file} (read-only: a published layer version never changes)`;
        item.command = { command: 'vscode.open', title: 'Open (read-only)', arguments: [readOnlyUri(node.file)] };
        return item;
      }
    }
  }

  /** Functions whose `Layers:` name `ref` (a logical id of their own template, or an ARN). */
  private users(ref: string, templatePath?: string): LayersNode[] {
    return this.templates
      .functions(templatePath)
      .filter((f) => f.layers.includes(ref))
      .map((f): LayersNode => ({ kind: 'user', functionName: f.functionName }));
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
    this.refresh.dispose();
  }
}

/** A folder's entries, folders first, each group sorted by name. */
async function listFolder(dir: string): Promise<LayersNode[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const folders = entries.filter((e) => e.isDirectory()).map((e): LayersNode => ({ kind: 'folder', dir: path.join(dir, e.name) }));
  const files = entries.filter((e) => !e.isDirectory()).map((e): LayersNode => ({ kind: 'file', file: path.join(dir, e.name) }));
  const byName = (a: LayersNode, b: LayersNode) => nodePath(a).localeCompare(nodePath(b));
  return [...folders.sort(byName), ...files.sort(byName)];
}

function nodePath(node: LayersNode): string {
  return node.kind === 'folder' ? node.dir : node.kind === 'file' ? node.file : '';
}

/** What a top row of the Layers view stands for (see TreeRefresh). */
function topRowKey(node: LayersNode): string {
  return node.kind === 'layer' ? `${node.layer.templatePath}#${node.layer.logicalId}` : node.kind === 'external' ? node.arn : node.kind;
}
