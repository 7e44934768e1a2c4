// The Functions view's "Extensions (n)" row under a function whose layers carry external
// extensions, and one row per extension: its layer and what it did in the function's latest
// environment. A click opens that environment's log stream, where Lambda writes the
// extensions' output beside the function's; before any environment ran it, the executable.
import * as vscode from 'vscode';
import type { FunctionConfig } from '../runtime/functionConfig';
import type { FunctionExtension, FunctionExtensions } from './functionExtensions';
import { cell } from './treeFormat';

export type ExtensionNode = { kind: 'extensions'; fn: FunctionConfig } | { kind: 'extension'; fn: FunctionConfig; ext: FunctionExtension };

export function isExtensionNode(node: { kind: string }): node is ExtensionNode {
  return node.kind === 'extensions' || node.kind === 'extension';
}

export class ExtensionRows {
  get onDidChange() {
    return this.extensions.onDidChange;
  }

  constructor(private readonly extensions: FunctionExtensions) {}

  rowsOf(fn: FunctionConfig): ExtensionNode[] {
    return this.extensions.of(fn).length ? [{ kind: 'extensions', fn }] : [];
  }

  children(node: ExtensionNode): ExtensionNode[] {
    if (node.kind !== 'extensions') return [];
    return this.extensions.of(node.fn).map((ext) => ({ kind: 'extension', fn: node.fn, ext }));
  }

  item(node: ExtensionNode): vscode.TreeItem {
    const { fn } = node;
    if (node.kind === 'extensions') {
      const count = this.extensions.of(fn).length;
      const item = new vscode.TreeItem('Extensions', vscode.TreeItemCollapsibleState.Collapsed);
      item.description = String(count);
      item.tooltip = `External extensions of ${fn.functionName}'s layers (their extensions/ folders, /opt/extensions in Lambda): they start with each environment, before the runtime.`;
      item.iconPath = new vscode.ThemeIcon('extensions');
      item.contextValue = 'extensions';
      item.id = `extensions:${fn.templatePath}#${fn.logicalId}`;
      return item;
    }
    const { ext } = node;
    const activity = this.extensions.activityOf(fn, ext);
    const running = activity ? this.extensions.running(fn, activity) : false;
    const state = !activity
      ? 'starts with the next environment'
      : activity.events
        ? `${running ? 'registered' : 'last environment: registered'} · ${activity.events.length ? activity.events.join(', ') : 'no events'}`
        : `${running ? '' : 'last environment: '}not registered`;
    const item = new vscode.TreeItem(ext.name, vscode.TreeItemCollapsibleState.None);
    item.description = [ext.layerName, state, activity?.subscription].filter(Boolean).join(' · ');
    item.iconPath = new vscode.ThemeIcon(
      'plug',
      running && activity?.events
        ? new vscode.ThemeColor('charts.green')
        : activity && !activity.events
          ? new vscode.ThemeColor('list.warningForeground')
          : undefined,
    );
    item.tooltip = new vscode.MarkdownString(
      [
        `**${cell(ext.name)}** from layer ${cell(ext.layerName)}`,
        '',
        `\`${cell(ext.file)}\``,
        '',
        activity
          ? `In environment ${cell(activity.environmentId)}${running ? '' : ' (stopped)'}: ${activity.events ? `registered for ${activity.events.join(', ') || 'no events'}` : 'did not register'}${activity.subscription ? `; ${cell(activity.subscription)}` : ''}. Click to open its log stream (extension output included).`
          : 'No environment of this function has started it yet. Click to open the executable.',
      ].join('\n'),
    );
    item.contextValue = 'extension';
    item.id = `extension:${fn.templatePath}#${fn.logicalId}#${ext.file}`;
    item.command = activity
      ? { command: 'lambdaLab.openLogStream', title: 'Open Log Stream', arguments: [fn.functionName, activity.logStreamName] }
      : { command: 'vscode.open', title: 'Open Extension', arguments: [vscode.Uri.file(ext.file)] };
    return item;
  }
}
