// The Durable Executions view: per durable function, its executions (name, status, start, how
// long, version), each expanding into its operations — steps with their attempts, waits,
// callbacks, chained invokes, child contexts with their children — and its invocations (the
// first run and each replay). Follows the executions as they change, whichever process drives them.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ExecutionRecord, ExecutionStatus, OperationStatus } from '../runtime/durable/executionRecord';
import { formatDuration, invocations, timeline, type InvocationEntry, type TimelineEntry } from '../runtime/durable/executionTimeline';
import type { FunctionConfig } from '../runtime/functionConfig';
import type { LocalRuntime } from '../runtime/localRuntime';
import { deployedName, shownName } from './functionNames';
import type { TemplateWorkspace } from './templateWorkspace';
import { subscribe } from './subscribe';
import { cell, clock, failedIcon, okIcon, runningIcon } from './treeFormat';
import { TreeRefresh } from './treeRefresh';

export type ExecutionsNode =
  | { kind: 'function'; fn: FunctionConfig }
  | { kind: 'execution'; fn: FunctionConfig; record: ExecutionRecord }
  | { kind: 'operation'; fn: FunctionConfig; record: ExecutionRecord; entry: TimelineEntry }
  | { kind: 'invocations'; fn: FunctionConfig; record: ExecutionRecord }
  | { kind: 'invocation'; fn: FunctionConfig; record: ExecutionRecord; invocation: InvocationEntry };

/** Executions listed per function; older ones stay on disk and in `lambda-lab executions`. */
const MAX_EXECUTIONS = 50;
const GENERATED_NAME = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export class ExecutionsTree implements vscode.TreeDataProvider<ExecutionsNode>, vscode.Disposable {
  private readonly refresh = new TreeRefresh<ExecutionsNode>(150, {
    // The durable functions.
    rows: () =>
      this.runtime
        .functions()
        .filter((fn) => fn.durableConfig)
        .sort((a, b) => shownName(a).localeCompare(shownName(b)))
        .map((fn): ExecutionsNode => ({ kind: 'function', fn })),
    keyOf: (node) => `${node.kind}:${node.fn.templatePath}#${node.fn.logicalId}`,
  });
  readonly onDidChangeTreeData = this.refresh.event;
  private readonly subscriptions: vscode.Disposable[];
  /** Per state folder: executions other processes (`serve`, the CLI) drive change there only. */
  private readonly watchers = new Map<string, vscode.FileSystemWatcher>();

  constructor(
    private readonly runtime: LocalRuntime,
    templates: TemplateWorkspace,
  ) {
    const unsubscribe = runtime.durable.onChange(() => this.refresh.soon());
    const templatesChanged = () => {
      this.watchStateFolders();
      this.refresh.soon();
    };
    this.subscriptions = [
      templates.onDidChange(templatesChanged),
      subscribe(runtime, 'templateLoaded', templatesChanged),
      { dispose: unsubscribe },
    ];
    this.watchStateFolders();
  }

  refreshNow(): void {
    this.refresh.soon();
  }

  private watchStateFolders(): void {
    const dirs = new Set(
      this.runtime
        .functions()
        .filter((fn) => fn.durableConfig)
        .map((fn) => path.join(this.runtime.stateDirFor(fn.templatePath), 'durable')),
    );
    for (const [dir, watcher] of this.watchers) {
      if (dirs.has(dir)) continue;
      watcher.dispose();
      this.watchers.delete(dir);
    }
    for (const dir of dirs) {
      if (this.watchers.has(dir)) continue;
      const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(dir), '**'));
      const soon = () => this.refresh.soon();
      watcher.onDidCreate(soon);
      watcher.onDidChange(soon);
      watcher.onDidDelete(soon);
      this.watchers.set(dir, watcher);
    }
  }

  async getChildren(node?: ExecutionsNode): Promise<ExecutionsNode[]> {
    if (!node) return this.refresh.roots();
    const { fn } = node;
    switch (node.kind) {
      case 'function':
        return (await this.runtime.durable.list(fn))
          .slice(0, MAX_EXECUTIONS)
          .map((record): ExecutionsNode => ({ kind: 'execution', fn, record }));
      case 'execution': {
        // The node holds the record as listed; what it shows now is read again.
        const record = await this.runtime.durable.get(node.record.DurableExecutionArn).catch(() => node.record);
        const ops = timeline(record).map((entry): ExecutionsNode => ({ kind: 'operation', fn, record, entry }));
        return [...ops, { kind: 'invocations', fn, record }];
      }
      case 'operation':
        return node.entry.children.map((entry): ExecutionsNode => ({ kind: 'operation', fn, record: node.record, entry }));
      case 'invocations':
        return invocations(node.record).map((invocation): ExecutionsNode => ({ kind: 'invocation', fn, record: node.record, invocation }));
      case 'invocation':
        return [];
    }
  }

  getTreeItem(node: ExecutionsNode): vscode.TreeItem {
    switch (node.kind) {
      case 'function': {
        const item = new vscode.TreeItem(shownName(node.fn), vscode.TreeItemCollapsibleState.Expanded);
        item.description = deployedName(node.fn);
        item.iconPath = new vscode.ThemeIcon('symbol-function');
        item.id = `executions:${node.fn.templatePath}#${node.fn.logicalId}`;
        item.contextValue = 'durableFunction';
        return item;
      }
      case 'execution': {
        const r = node.record;
        // Names Lambda Lab made up (UUIDs) are told apart by their start; the tooltip has the whole.
        const label = GENERATED_NAME.test(r.DurableExecutionName) ? r.DurableExecutionName.slice(0, 8) : r.DurableExecutionName;
        const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.Collapsed);
        const took = (r.EndTimestamp ?? Date.now()) - r.StartTimestamp;
        item.description = [r.Status, clock(r.StartTimestamp), r.EndTimestamp ? formatDuration(took) : '', r.version]
          .filter(Boolean)
          .join(' · ');
        item.tooltip = executionTooltip(r);
        item.iconPath = executionIcon(r.Status);
        item.id = `executions:${r.DurableExecutionArn}`;
        item.contextValue = r.Status === 'RUNNING' ? 'durableExecutionRunning' : 'durableExecutionEnded';
        return item;
      }
      case 'operation': {
        const { entry, record } = node;
        const item = new vscode.TreeItem(
          entry.name,
          entry.children.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
        );
        item.description = operationDescription(entry);
        item.tooltip = operationTooltip(entry);
        item.iconPath = operationIcon(entry.status);
        item.id = `executions:${record.DurableExecutionArn}#${entry.id}`;
        const open = entry.type === 'CALLBACK' && entry.status === 'STARTED' && record.Status === 'RUNNING';
        item.contextValue = open ? 'durableCallbackOpen' : `durableOperation`;
        return item;
      }
      case 'invocations': {
        const count = invocations(node.record).length;
        const item = new vscode.TreeItem(
          'Invocations',
          count ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
        );
        item.description = `${count} (first run and replays)`;
        item.iconPath = new vscode.ThemeIcon('history');
        item.id = `executions:${node.record.DurableExecutionArn}#invocations`;
        item.contextValue = 'durableInvocations';
        return item;
      }
      case 'invocation': {
        const { invocation: inv } = node;
        const item = new vscode.TreeItem(inv.number === 1 ? 'first run' : `replay ${inv.number - 1}`, vscode.TreeItemCollapsibleState.None);
        item.description = [clock(inv.startedAt), formatDuration(inv.endedAt - inv.startedAt), inv.requestId.slice(0, 8), inv.error]
          .filter(Boolean)
          .join(' · ');
        item.tooltip = `Invocation ${inv.number} of ${node.record.DurableExecutionName}, request ${inv.requestId}`;
        item.iconPath = inv.error ? failedIcon : new vscode.ThemeIcon('debug-restart');
        item.id = `executions:${node.record.DurableExecutionArn}#invocation-${inv.number}`;
        item.contextValue = 'durableInvocation';
        item.command = { command: 'lambdaLab.openInvocationLog', title: 'Open Log', arguments: [inv.requestId] };
        return item;
      }
    }
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
    for (const w of this.watchers.values()) w.dispose();
    this.refresh.dispose();
  }
}

function executionIcon(status: ExecutionStatus): vscode.ThemeIcon {
  switch (status) {
    case 'RUNNING':
      return runningIcon;
    case 'SUCCEEDED':
      return okIcon;
    case 'STOPPED':
      return new vscode.ThemeIcon('debug-stop');
    default:
      return failedIcon;
  }
}

function operationIcon(status: OperationStatus): vscode.ThemeIcon {
  switch (status) {
    case 'SUCCEEDED':
      return okIcon;
    case 'STARTED':
    case 'READY':
      return runningIcon;
    case 'PENDING':
      return new vscode.ThemeIcon('watch');
    case 'CANCELLED':
    case 'STOPPED':
      return new vscode.ThemeIcon('debug-stop');
    default:
      return failedIcon;
  }
}

function operationDescription(e: TimelineEntry): string {
  return [
    e.name === e.kind ? '' : e.kind,
    e.status,
    e.attempts && e.attempts > 1 ? `${e.attempts} attempts` : '',
    e.detail,
    e.endedAt !== undefined ? formatDuration(e.endedAt - e.startedAt) : '',
  ]
    .filter(Boolean)
    .join(' · ');
}

function operationTooltip(e: TimelineEntry): vscode.MarkdownString {
  const rows = [
    ['Type', e.subType ? `${e.type} (${e.subType})` : e.type],
    ['Status', e.status],
    ['Started', new Date(e.startedAt).toISOString()],
    ...(e.endedAt !== undefined ? [['Ended', new Date(e.endedAt).toISOString()]] : []),
    ...(e.attempts ? [['Attempts', String(e.attempts)]] : []),
    ...(e.detail ? [['Detail', e.detail]] : []),
    ...(e.callbackId ? [['Callback id', `\`${e.callbackId}\``]] : []),
    ...(e.result !== undefined ? [['Result', truncate(e.result)]] : []),
    ...(e.error ? [['Error', e.error]] : []),
  ];
  return new vscode.MarkdownString(
    [`**${cell(e.name)}**`, '', '| | |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${k === 'Callback id' ? v : cell(v)} |`)].join(
      '\n',
    ),
  );
}

function executionTooltip(r: ExecutionRecord): vscode.MarkdownString {
  const rows = [
    ['ARN', r.DurableExecutionArn],
    ['Status', r.Status],
    ['Started', new Date(r.StartTimestamp).toISOString()],
    ...(r.EndTimestamp ? [['Ended', new Date(r.EndTimestamp).toISOString()]] : []),
    ['Invocations', String(r.invocations)],
    ['Input', truncate(r.InputPayload)],
    ...(r.Result !== undefined ? [['Result', truncate(r.Result)]] : []),
    ...(r.Error ? [['Error', [r.Error.ErrorType, r.Error.ErrorMessage].filter(Boolean).join(': ')]] : []),
  ];
  return new vscode.MarkdownString(
    [`**${cell(r.DurableExecutionName)}**`, '', '| | |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${cell(v)} |`)].join('\n'),
  );
}

function truncate(text: string): string {
  return text.length > 300 ? `${text.slice(0, 297)}...` : text;
}
