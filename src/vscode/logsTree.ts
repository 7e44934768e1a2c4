// The Logs view: per function its log streams (one per execution environment, newest
// first), each expanding to its invocations from START to REPORT.
import * as vscode from 'vscode';
import { TreeRefresh } from './treeRefresh';
import { deployedName, shownName } from './functionNames';
import type { InvocationLog, LogIndex, LogStream } from './logIndex';
import type { TemplateWorkspace } from './templateWorkspace';
import { clock, failedIcon, ms, okIcon, runningIcon, shortStream } from './treeFormat';

export type LogsNode =
  { kind: 'function'; functionName: string } | { kind: 'stream'; stream: LogStream } | { kind: 'invocation'; invocation: InvocationLog };

export class LogsTree implements vscode.TreeDataProvider<LogsNode>, vscode.Disposable {
  private readonly refresh = new TreeRefresh<LogsNode>(200, {
    // Every function of the templates, and any other the log folders know.
    rows: () =>
      [...new Set([...this.templates.functions().map((f) => f.functionName), ...this.index.functionNames()])]
        .sort((a, b) => this.shown(a).localeCompare(this.shown(b)))
        .map((functionName): LogsNode => ({ kind: 'function', functionName })),
    keyOf: (node) => (node.kind === 'function' ? node.functionName : node.kind),
  });
  readonly onDidChangeTreeData = this.refresh.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly index: LogIndex,
    private readonly templates: TemplateWorkspace,
  ) {
    const refresh = () => this.refresh.soon();
    this.subscriptions = [index.onDidChange(refresh), templates.onDidChange(refresh)];
  }

  async getChildren(node?: LogsNode): Promise<LogsNode[]> {
    if (!node) return this.refresh.roots();
    switch (node.kind) {
      case 'function':
        await this.index.hydrate(node.functionName);
        return this.index.streamsOf(node.functionName).map((stream) => ({ kind: 'stream', stream }));
      case 'stream':
        return [...node.stream.invocations].reverse().map((invocation) => ({ kind: 'invocation', invocation }));
      case 'invocation':
        return [];
    }
  }

  /** Log groups are Lambda's, named by FunctionName; their rows are named as everywhere else. */
  private functionNamed(functionName: string) {
    return this.templates.functions().find((f) => f.functionName === functionName);
  }

  private shown(functionName: string): string {
    const fn = this.functionNamed(functionName);
    return fn ? shownName(fn) : functionName;
  }

  getTreeItem(node: LogsNode): vscode.TreeItem {
    switch (node.kind) {
      case 'function': {
        const streams = this.index.streamsOf(node.functionName);
        const fn = this.functionNamed(node.functionName);
        const item = new vscode.TreeItem(this.shown(node.functionName), vscode.TreeItemCollapsibleState.Collapsed);
        item.description = [fn && deployedName(fn), streams.length ? `${streams.length} stream${streams.length === 1 ? '' : 's'}` : '']
          .filter(Boolean)
          .join(' · ');
        item.iconPath = new vscode.ThemeIcon('symbol-function');
        item.contextValue = 'logFunction';
        item.id = `logs:${node.functionName}`;
        return item;
      }
      case 'stream': {
        const s = node.stream;
        const item = new vscode.TreeItem(
          shortStream(s.logStreamName),
          s.invocations.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
        );
        const count = `${s.invocations.length} invocation${s.invocations.length === 1 ? '' : 's'}`;
        item.description = [s.live ? 'live' : undefined, count, clock(s.startedAt)].filter(Boolean).join(' · ');
        item.tooltip = `${s.logStreamName}\n${s.live ? 'Environment running: the document follows new lines.' : 'Environment stopped.'}`;
        item.iconPath = new vscode.ThemeIcon(s.live ? 'pulse' : 'output');
        item.contextValue = 'logStream';
        item.id = `stream:${s.functionName}:${s.logStreamName}`;
        item.command = { command: 'lambdaLab.openLogStream', title: 'Open Log Stream', arguments: [s.functionName, s.logStreamName] };
        return item;
      }
      case 'invocation': {
        const inv = node.invocation;
        const item = new vscode.TreeItem(inv.requestId.slice(0, 8), vscode.TreeItemCollapsibleState.None);
        item.description = [
          inv.cold ? 'cold' : 'warm',
          inv.done ? ms(inv.durationMs) : 'running',
          clock(inv.records[0]?.timestamp ?? Date.now()),
        ].join(' · ');
        item.iconPath = !inv.done ? runningIcon : inv.failed ? failedIcon : okIcon;
        item.tooltip = `RequestId ${inv.requestId}${inv.failed ? ' (failed)' : ''}`;
        item.contextValue = 'logInvocation';
        item.id = `inv:${inv.requestId}`;
        item.command = {
          command: 'lambdaLab.openInvocationLog',
          title: 'Open Invocation Log',
          arguments: [inv.stream.functionName, inv.stream.logStreamName, inv.requestId],
        };
        return item;
      }
    }
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
    this.refresh.dispose();
  }
}
