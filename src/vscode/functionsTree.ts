// The Functions view: every function of every template (grouped by template when there are
// several), with its handler, saved events and recent invocations as children. What cannot run
// says why on its own rows: a template that failed to load, a function Lambda Lab cannot run
// (with the fix when there is one).
import * as path from 'node:path';
import * as vscode from 'vscode';
import { TreeRefresh } from './treeRefresh';
import type { ApiServerControl } from './apiServerControl';
import { isAsyncNode, type AsyncNode, type AsyncRows } from './asyncRows';
import { isExtensionNode, type ExtensionNode, type ExtensionRows } from './extensionRows';
import { routesOf, type FunctionRoute } from './routeRequests';
import type { FunctionConfig, UnsupportedFunction } from '../runtime/functionConfig';
import type { LocalRuntime } from '../runtime/localRuntime';
import type { EventStore, SavedEvent } from './eventStore';
import { locateHandler, type HandlerLocation } from './handlerLocator';
import type { Invocation, InvocationHistory } from './invocationHistory';
import type { InvocationLog, LogIndex } from './logIndex';
import { deployedName, shownName } from './functionNames';
import { durationText } from './resultDocuments';
import type { RuntimeMismatches } from './runtimeMismatches';
import { subscribe } from './subscribe';
import type { TemplateWorkspace } from './templateWorkspace';
import { cell, clock, failedIcon, ms, okIcon } from './treeFormat';
import { runtimeMajor } from '../runtime/families/node/nodeBinaries';

/** Rows under Recent invocations. */
const RECENT_LIMIT = 10;

export type FunctionsNode =
  | { kind: 'template'; templatePath: string }
  /** One line of why something cannot run, leading to its place in the template. */
  | {
      kind: 'note';
      text: string;
      icon: 'error' | 'warning' | 'lightbulb';
      templatePath: string;
      position: { line: number; column: number };
    }
  | { kind: 'function'; fn: FunctionConfig }
  | { kind: 'unsupported'; fn: UnsupportedFunction }
  | { kind: 'handler'; fn: FunctionConfig; location: HandlerLocation }
  | { kind: 'routes'; fn: FunctionConfig }
  /** An API Gateway route or function URL answered by the function. */
  | { kind: 'route'; fn: FunctionConfig; route: FunctionRoute }
  | { kind: 'events'; fn: FunctionConfig }
  | { kind: 'event'; fn: FunctionConfig; event: SavedEvent }
  | { kind: 'invocations'; fn: FunctionConfig }
  | { kind: 'invocation'; fn: FunctionConfig; invocation: Invocation }
  /** An invocation of an earlier window or of the CLI, known from its log stream on disk. */
  | { kind: 'loggedInvocation'; fn: FunctionConfig; invocation: InvocationLog }
  | ExtensionNode
  | AsyncNode;

export class FunctionsTree implements vscode.TreeDataProvider<FunctionsNode>, vscode.Disposable {
  private readonly refresh = new TreeRefresh<FunctionsNode>(150, { rows: () => this.topRows(), keyOf: topRowKey });
  readonly onDidChangeTreeData = this.refresh.event;
  private readonly subscriptions: vscode.Disposable[];
  private readonly hydrating = new Set<string>();

  constructor(
    private readonly runtime: LocalRuntime,
    private readonly templates: TemplateWorkspace,
    private readonly events: EventStore,
    private readonly history: InvocationHistory,
    private readonly logIndex: LogIndex,
    private readonly mismatches: RuntimeMismatches,
    private readonly apiServer: ApiServerControl,
    private readonly extensionRows: ExtensionRows,
    private readonly asyncRows: AsyncRows,
  ) {
    const refresh = () => this.refreshSoon();
    this.subscriptions = [
      templates.onDidChange(refresh),
      mismatches.onDidChange(refresh),
      apiServer.onDidChange(refresh),
      extensionRows.onDidChange(refresh),
      asyncRows.onDidChange(refresh),
      history.onDidAdd(refresh),
      subscribe(runtime, 'functionsChanged', refresh),
      subscribe(runtime, 'environmentStarted', refresh),
      subscribe(runtime, 'environmentStopped', refresh),
      vscode.workspace.onDidCreateFiles(refresh),
      vscode.workspace.onDidDeleteFiles(refresh),
    ];
  }

  /** Environment churn comes in bursts; one repaint per burst. */
  refreshSoon(): void {
    this.refresh.soon();
  }

  getChildren(node?: FunctionsNode): FunctionsNode[] {
    if (!node) return this.refresh.roots();
    switch (node.kind) {
      case 'template':
        return this.functionsOf(node.templatePath);
      case 'unsupported':
        return reasonLines(node.fn.reason, path.dirname(node.fn.templatePath)).map((text, i) => ({
          kind: 'note',
          text,
          icon: i === 0 ? 'warning' : 'lightbulb',
          templatePath: node.fn.templatePath,
          position: node.fn.position,
        }));
      case 'function': {
        const location = locateHandler(node.fn);
        const children: FunctionsNode[] = location ? [{ kind: 'handler', fn: node.fn, location }] : [];
        if (this.routes(node.fn).length) children.push({ kind: 'routes', fn: node.fn });
        children.push(...this.extensionRows.rowsOf(node.fn), ...this.asyncRows.rowsOf(node.fn));
        children.push({ kind: 'events', fn: node.fn }, { kind: 'invocations', fn: node.fn });
        return children;
      }
      case 'routes':
        return this.routes(node.fn).map((route) => ({ kind: 'route', fn: node.fn, route }));
      case 'events':
        return this.savedEvents(node.fn).map((event) => ({ kind: 'event', fn: node.fn, event }));
      case 'invocations':
        return this.recentOf(node.fn);
      default:
        if (isExtensionNode(node)) return this.extensionRows.children(node);
        if (isAsyncNode(node)) return this.asyncRows.children(node);
        return [];
    }
  }

  getTreeItem(node: FunctionsNode): vscode.TreeItem {
    if (isExtensionNode(node)) return this.extensionRows.item(node);
    if (isAsyncNode(node)) return this.asyncRows.item(node);
    switch (node.kind) {
      case 'template':
        return this.templateItem(node.templatePath);
      case 'note': {
        const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
        const color = node.icon === 'error' ? 'list.errorForeground' : node.icon === 'warning' ? 'list.warningForeground' : undefined;
        item.iconPath = new vscode.ThemeIcon(node.icon, color ? new vscode.ThemeColor(color) : undefined);
        item.tooltip = `${node.text}\n${node.templatePath}:${node.position.line}:${node.position.column}`;
        item.contextValue = 'note';
        item.command = { command: 'lambdaLab.revealInTemplate', title: 'Reveal in Template', arguments: [node] };
        return item;
      }
      case 'function':
        return this.functionItem(node.fn);
      case 'unsupported': {
        const item = new vscode.TreeItem(shownName(node.fn), vscode.TreeItemCollapsibleState.Expanded);
        item.description = `cannot run here: ${reasonLines(node.fn.reason, path.dirname(node.fn.templatePath))[0]}`;
        item.tooltip = new vscode.MarkdownString(`${nameMarkdown(node.fn)} cannot run here: ${cell(node.fn.reason)}`);
        item.id = `unsupported:${node.fn.templatePath}#${node.fn.logicalId}`;
        item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
        item.contextValue = 'functionUnsupported';
        item.command = { command: 'lambdaLab.revealInTemplate', title: 'Reveal in Template', arguments: [node] };
        return item;
      }
      case 'handler': {
        const item = new vscode.TreeItem(node.fn.handler, vscode.TreeItemCollapsibleState.None);
        item.description = `${vscode.workspace.asRelativePath(node.location.file)}:${node.location.line + 1}`;
        item.iconPath = new vscode.ThemeIcon('symbol-method');
        item.tooltip = `Open the handler ${node.location.exportName} in ${node.location.file}`;
        item.contextValue = 'handler';
        item.command = { command: 'lambdaLab.openHandler', title: 'Open Handler', arguments: [node] };
        return item;
      }
      case 'routes': {
        const served = this.apiServer.frontDoors !== undefined;
        const item = new vscode.TreeItem('Routes', vscode.TreeItemCollapsibleState.Collapsed);
        item.description = `${this.routes(node.fn).length}${served ? '' : ' · start the Lambda API server to serve them'}`;
        item.iconPath = new vscode.ThemeIcon('globe');
        item.contextValue = 'routes';
        item.id = `routes:${node.fn.templatePath}#${node.fn.logicalId}`;
        return item;
      }
      case 'route': {
        const { row, url } = node.route;
        const item = new vscode.TreeItem(`${row.method} ${node.route.path}`, vscode.TreeItemCollapsibleState.None);
        item.description = [row.door, url].filter(Boolean).join(' · ');
        item.tooltip = `${row.method} ${node.route.path} through the ${row.door} (${row.details})${url ? `\nServed at ${url}` : ''}\nClick to send a request.`;
        item.iconPath = new vscode.ThemeIcon('symbol-interface');
        item.contextValue = 'route';
        item.id = `route:${node.fn.templatePath}#${node.fn.logicalId}#${node.route.index}`;
        item.command = { command: 'lambdaLab.sendRequest', title: 'Send Request', arguments: [node] };
        return item;
      }
      case 'events': {
        const count = this.savedEvents(node.fn).length;
        const item = new vscode.TreeItem(
          'Events',
          count ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
        );
        const folder = `${path.relative(path.dirname(node.fn.templatePath), this.events.eventsDir(node.fn))}/${node.fn.logicalId}/`;
        item.description = count ? String(count) : `none saved — add one from a sample (${folder})`;
        item.tooltip = `Saved in ${folder} next to the template (files in events/ named after the function count too); new ones from samples go there.`;
        item.iconPath = new vscode.ThemeIcon('symbol-event');
        item.contextValue = 'events';
        item.id = `events:${node.fn.templatePath}#${node.fn.logicalId}`;
        return item;
      }
      case 'event': {
        const item = new vscode.TreeItem(node.event.name, vscode.TreeItemCollapsibleState.None);
        item.description = vscode.workspace.asRelativePath(node.event.file);
        item.resourceUri = vscode.Uri.file(node.event.file);
        item.iconPath = new vscode.ThemeIcon('json');
        item.contextValue = 'event';
        item.command = { command: 'vscode.open', title: 'Open Event', arguments: [vscode.Uri.file(node.event.file)] };
        return item;
      }
      case 'invocations': {
        const count = this.recentOf(node.fn).length;
        const item = new vscode.TreeItem(
          'Recent invocations',
          count ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
        );
        item.description = count ? String(count) : 'none yet';
        item.iconPath = new vscode.ThemeIcon('history');
        item.id = `invocations:${node.fn.templatePath}#${node.fn.logicalId}`;
        return item;
      }
      case 'invocation':
        return invocationItem(node.invocation, node.fn);
      case 'loggedInvocation':
        return loggedInvocationItem(node.invocation, node.fn);
    }
  }

  private functionItem(fn: FunctionConfig): vscode.TreeItem {
    const item = new vscode.TreeItem(shownName(fn), vscode.TreeItemCollapsibleState.Collapsed);
    const warm = this.runtime.environments(fn.functionName).filter((e) => e.state !== 'stopped').length;
    const mismatch = this.mismatches.of(fn.runtime);
    item.description = [
      deployedName(fn),
      fn.runtime,
      mismatch ? `not on Node ${runtimeMajor(fn.runtime)}` : undefined,
      warm ? `${warm} warm` : undefined,
    ]
      .filter(Boolean)
      .join(' · ');
    item.iconPath = mismatch
      ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'))
      : new vscode.ThemeIcon('symbol-function', warm ? new vscode.ThemeColor('charts.green') : undefined);
    item.contextValue = 'function';
    item.id = `function:${fn.templatePath}#${fn.logicalId}`;
    const env = Object.entries(fn.environment);
    const md = new vscode.MarkdownString(
      [
        `${nameMarkdown(fn)}${fn.description ? ` — ${cell(fn.description)}` : ''}`,
        '',
        ...(mismatch ? [`**Not on Node ${runtimeMajor(fn.runtime)}:** ${cell(mismatch)}`, ''] : []),
        '| | |',
        '|---|---|',
        `| Runtime | ${cell(fn.runtime)} (${fn.architectures.join(', ')}) |`,
        `| Handler | \`${cell(fn.handler)}\` |`,
        `| Memory | ${fn.memorySize} MB |`,
        `| Timeout | ${fn.timeout} s |`,
        `| Log format | ${fn.loggingConfig.logFormat} |`,
        ...(fn.layers.length ? [`| Layers | ${fn.layers.map(cell).join(', ')} |`] : []),
        `| Warm environments | ${warm} |`,
        ...(env.length
          ? ['', '**Environment variables**', '', '| | |', '|---|---|', ...env.map(([k, v]) => `| ${cell(k)} | \`${cell(v)}\` |`)]
          : []),
      ].join('\n'),
    );
    item.tooltip = md;
    return item;
  }

  private templateItem(templatePath: string): vscode.TreeItem {
    const folder = path.dirname(templatePath);
    const relative = vscode.workspace.asRelativePath(folder, false);
    const failure = this.templates.failure(templatePath);
    const item = new vscode.TreeItem(relative === folder ? path.basename(folder) : relative, vscode.TreeItemCollapsibleState.Expanded);
    const file = path.basename(templatePath);
    const count = this.templates.functions(templatePath).length + this.templates.unsupported(templatePath).length;
    item.description = failure
      ? 'failed to load'
      : `${/^template\.ya?ml$/.test(file) ? '' : `${file} · `}${count} function${count === 1 ? '' : 's'}`;
    item.tooltip = failure ? `${templatePath}\n${failure.message}` : templatePath;
    item.iconPath = failure
      ? new vscode.ThemeIcon('error', new vscode.ThemeColor('list.errorForeground'))
      : new vscode.ThemeIcon('file-code');
    item.contextValue = failure ? 'templateFailed' : 'template';
    item.id = `template:${templatePath}`;
    return item;
  }

  /** One row per template when there are several, else the template's functions. */
  private topRows(): FunctionsNode[] {
    const templates = this.templates.templates();
    if (templates.length > 1) return templates.map((templatePath) => ({ kind: 'template', templatePath }));
    return this.functionsOf(templates[0]);
  }

  private functionsOf(templatePath: string | undefined): FunctionsNode[] {
    if (!templatePath) return [];
    const failure = this.templates.failure(templatePath);
    const position = failure && { line: failure.line, column: failure.column };
    const failed: FunctionsNode[] = failure
      ? reasonLines(`Line ${failure.line}: ${failure.message}`, path.dirname(templatePath)).map((text, i) => ({
          kind: 'note',
          text,
          icon: i === 0 ? 'error' : 'lightbulb',
          templatePath,
          position: position!,
        }))
      : [];
    const fns: FunctionsNode[] = this.templates.functions(templatePath).map((fn) => ({ kind: 'function', fn }));
    const unsupported: FunctionsNode[] = this.templates.unsupported(templatePath).map((fn) => ({ kind: 'unsupported', fn }));
    return [...failed, ...fns, ...unsupported];
  }

  /**
   * This window's invocations (with their results), then the ones only their log streams on disk
   * remember (before a reload, from the CLI), newest first; the streams are read once per function.
   */
  private recentOf(fn: FunctionConfig): FunctionsNode[] {
    const recent = this.history.recent(fn.functionName);
    const known = new Set(recent.map((i) => i.info.requestId));
    if (!this.hydrating.has(fn.functionName)) {
      this.hydrating.add(fn.functionName);
      void this.logIndex.hydrate(fn.functionName).then(() => this.refreshSoon());
    }
    const logged = this.logIndex
      .streamsOf(fn.functionName)
      .flatMap((s) => [...s.invocations].reverse())
      .filter((i) => i.done && !known.has(i.requestId))
      .slice(0, Math.max(0, RECENT_LIMIT - recent.length));
    return [
      ...recent.map((invocation): FunctionsNode => ({ kind: 'invocation', fn, invocation })),
      ...logged.map((invocation): FunctionsNode => ({ kind: 'loggedInvocation', fn, invocation })),
    ];
  }

  private routes(fn: FunctionConfig): FunctionRoute[] {
    return routesOf(this.runtime, fn, this.apiServer.frontDoors);
  }

  private savedEvents(fn: FunctionConfig): SavedEvent[] {
    return this.events.list(fn, this.templates.functions(fn.templatePath));
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
    this.refresh.dispose();
  }
}

/** `**GetOrderFunction**`, with the deployed name when the template sets a different FunctionName. */
function nameMarkdown(fn: FunctionConfig | UnsupportedFunction): string {
  const deployed = deployedName(fn);
  return `**${cell(shownName(fn))}**${deployed ? ` (FunctionName \`${cell(deployed)}\`)` : ''}`;
}

function invocationItem(invocation: Invocation, fn: FunctionConfig): vscode.TreeItem {
  const { info, result } = invocation;
  const label = invocation.errorType ?? ms(result.durationMs);
  const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
  item.description = [result.cold ? 'cold' : 'warm', invocation.errorType ? ms(result.durationMs) : undefined, clock(invocation.endedAt)]
    .filter(Boolean)
    .join(' · ');
  item.iconPath = invocation.errorType ? failedIcon : okIcon;
  item.tooltip = new vscode.MarkdownString(
    [
      `**${cell(shownName(fn))}** \`${info.requestId}\``,
      '',
      `${result.cold ? 'Cold' : 'Warm'} start · version ${cell(info.version)} · environment ${cell(info.environmentId)}`,
      '',
      `Duration ${durationText(result.durationMs, result.pausedMs)} · billed ${ms(result.billedDurationMs)}${result.initDurationMs !== undefined ? ` · init ${ms(result.initDurationMs)}` : ''} · memory ${result.maxMemoryUsedMB}/${result.memorySizeMB} MB`,
    ].join('\n'),
  );
  item.contextValue = 'invocation';
  item.command = { command: 'lambdaLab.openInvocationResult', title: 'Open Result', arguments: [info.requestId] };
  return item;
}

/** A reason as rows: the problem, then its fix (after `; `), with paths relative to the template. */
function reasonLines(reason: string, templateDir: string): string[] {
  const relative = reason.split(templateDir + path.sep).join('');
  const at = relative.indexOf('; ');
  return at < 0 ? [relative] : [relative.slice(0, at), relative.slice(at + 2)];
}

function loggedInvocationItem(invocation: InvocationLog, fn: FunctionConfig): vscode.TreeItem {
  const started = invocation.records[0]?.timestamp;
  const item = new vscode.TreeItem(
    invocation.failed ? 'failed' : invocation.durationMs !== undefined ? ms(invocation.durationMs) : 'ended',
    vscode.TreeItemCollapsibleState.None,
  );
  item.description = [
    invocation.cold ? 'cold' : 'warm',
    invocation.failed && invocation.durationMs !== undefined ? ms(invocation.durationMs) : undefined,
    started ? clock(started) : undefined,
    'from log',
  ]
    .filter(Boolean)
    .join(' · ');
  item.iconPath = invocation.failed ? failedIcon : okIcon;
  item.tooltip = `${shownName(fn)} ${invocation.requestId}\nFrom its log stream ${invocation.stream.logStreamName} (the result is not kept across windows). Click to open its log.`;
  item.contextValue = 'loggedInvocation';
  item.command = { command: 'lambdaLab.openInvocationLog', title: 'Open Log', arguments: [invocation.requestId] };
  return item;
}

/** What a top row of the Functions view stands for (see TreeRefresh). */
function topRowKey(node: FunctionsNode): string {
  switch (node.kind) {
    case 'template':
      return `template:${node.templatePath}`;
    case 'note':
      return `note:${node.text}`;
    case 'function':
    case 'unsupported':
      return `${node.kind}:${node.fn.templatePath}#${node.fn.logicalId}`;
    default:
      return node.kind;
  }
}
