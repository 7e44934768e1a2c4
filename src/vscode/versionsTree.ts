// The Versions view: per function, `$LATEST`, its published versions (number, description,
// date, code hash) and its aliases (→ version, with weights when traffic is split); a version
// or alias with provisioned concurrency shows its figures and status as they change.
import * as vscode from 'vscode';
import { TreeRefresh } from './treeRefresh';
import type { FunctionConfig } from '../runtime/functionConfig';
import type { LocalRuntime } from '../runtime/localRuntime';
import type { EnvironmentInfo } from '../runtime/runtimeEvents';
import type { ProvisionedConfigStatus } from '../runtime/versions/provisionedConcurrency';
import type { AliasRecord, PublishedVersion, VersionInfo } from '../runtime/versions/versionStore';
import type { Deployments } from './deployments';
import { subscribe } from './subscribe';
import type { TemplateWorkspace } from './templateWorkspace';
import { cell } from './treeFormat';

export type VersionsNode =
  | { kind: 'function'; fn: FunctionConfig }
  | { kind: 'latest'; fn: FunctionConfig; info?: VersionInfo; newest?: PublishedVersion }
  | { kind: 'version'; fn: FunctionConfig; version: PublishedVersion; provisioned?: ProvisionedConfigStatus }
  | { kind: 'alias'; fn: FunctionConfig; alias: AliasRecord; provisioned?: ProvisionedConfigStatus };

export class VersionsTree implements vscode.TreeDataProvider<VersionsNode>, vscode.Disposable {
  private readonly refresh = new TreeRefresh<VersionsNode>(100, {
    // One row per function, by name.
    rows: () =>
      this.templates
        .functions()
        .sort((a, b) => a.functionName.localeCompare(b.functionName))
        .map((fn): VersionsNode => ({ kind: 'function', fn })),
    keyOf: (node) => (node.kind === 'function' ? `${node.fn.templatePath}#${node.fn.logicalId}` : node.kind),
  });
  readonly onDidChangeTreeData = this.refresh.event;
  private readonly subscriptions: vscode.Disposable[];
  /** `functionName:version` of the versions shown with provisioned concurrency: their environments' states change its figures. */
  private readonly provisionedVersions = new Set<string>();

  constructor(
    private readonly runtime: LocalRuntime,
    private readonly templates: TemplateWorkspace,
    private readonly deployments: Deployments,
  ) {
    const refresh = () => this.refreshSoon();
    this.subscriptions = [
      templates.onDidChange(refresh),
      deployments.onDidChange(refresh),
      subscribe(runtime, 'environmentStarted', refresh),
      subscribe(runtime, 'environmentStopped', refresh),
      subscribe(runtime, 'environmentStateChanged', (info: EnvironmentInfo) => {
        if (this.provisionedVersions.has(`${info.functionName}:${info.version}`)) this.refreshSoon();
      }),
    ];
  }

  /** Environment churn and publishing come in bursts; one repaint per burst. */
  refreshSoon(): void {
    this.refresh.soon();
  }

  async getChildren(node?: VersionsNode): Promise<VersionsNode[]> {
    if (!node) return this.refresh.roots();
    if (node.kind !== 'function') return [];
    const { fn } = node;
    const { versions, provisioned } = await this.deployments.forFunction(fn);
    const published = await versions.versions(fn);
    const info = await versions.latest(fn).catch(() => undefined);
    const configs = new Map((await provisioned.list(fn).catch(() => [])).map((c) => [c.qualifier, c]));
    for (const key of this.provisionedVersions) if (key.startsWith(`${fn.functionName}:`)) this.provisionedVersions.delete(key);
    for (const c of configs.values()) this.provisionedVersions.add(`${fn.functionName}:${c.version}`);
    return [
      { kind: 'latest', fn, info, newest: published[published.length - 1] },
      ...[...published]
        .reverse()
        .map((version): VersionsNode => ({ kind: 'version', fn, version, provisioned: configs.get(version.version) })),
      ...(await versions.aliases(fn)).map((alias): VersionsNode => ({ kind: 'alias', fn, alias, provisioned: configs.get(alias.name) })),
    ];
  }

  getTreeItem(node: VersionsNode): vscode.TreeItem {
    switch (node.kind) {
      case 'function': {
        const item = new vscode.TreeItem(node.fn.functionName, vscode.TreeItemCollapsibleState.Expanded);
        item.iconPath = new vscode.ThemeIcon('symbol-function');
        item.id = `versions:${node.fn.templatePath}#${node.fn.logicalId}`;
        item.contextValue = 'versionsFunction';
        return item;
      }
      case 'latest': {
        const item = new vscode.TreeItem('$LATEST', vscode.TreeItemCollapsibleState.None);
        const { info, newest } = node;
        const sameAsNewest = info && newest && info.codeSha256 === newest.codeSha256;
        item.description = [
          this.warm(node.fn, '$LATEST'),
          !newest ? 'unpublished' : sameAsNewest ? `code as version ${newest.version}` : `changed since version ${newest.version}`,
        ]
          .filter(Boolean)
          .join(' · ');
        item.tooltip = info ? versionTooltip(node.fn, info) : `${node.fn.functionName} $LATEST: the code in ${node.fn.codeDir}`;
        item.iconPath = new vscode.ThemeIcon('git-commit');
        item.contextValue = 'latestVersion';
        return item;
      }
      case 'version': {
        const { version } = node;
        const item = new vscode.TreeItem(version.version, vscode.TreeItemCollapsibleState.None);
        item.description = [
          version.description,
          shortDate(version.lastModified),
          shortHash(version.codeSha256),
          this.warm(node.fn, version.version),
          node.provisioned && provisionedSummary(node.provisioned),
        ]
          .filter(Boolean)
          .join(' · ');
        item.tooltip = versionTooltip(node.fn, version, node.provisioned);
        item.iconPath = provisionedIcon(node.provisioned) ?? new vscode.ThemeIcon('versions');
        item.contextValue = 'publishedVersion';
        item.id = `versions:${node.fn.templatePath}#${node.fn.logicalId}@${version.version}`;
        return item;
      }
      case 'alias': {
        const { alias } = node;
        const item = new vscode.TreeItem(alias.name, vscode.TreeItemCollapsibleState.None);
        item.description = [`→ ${routing(alias)}`, node.provisioned && provisionedSummary(node.provisioned)].filter(Boolean).join(' · ');
        item.tooltip = new vscode.MarkdownString(
          [
            `**${cell(node.fn.functionName)}:${cell(alias.name)}** → ${cell(routing(alias))}`,
            ...(alias.description ? ['', cell(alias.description)] : []),
            ...(node.provisioned ? ['', ...provisionedRows(node.provisioned)] : []),
          ].join('\n'),
        );
        item.iconPath = provisionedIcon(node.provisioned) ?? new vscode.ThemeIcon('tag');
        item.contextValue = 'alias';
        item.id = `versions:${node.fn.templatePath}#${node.fn.logicalId}:${alias.name}`;
        return item;
      }
    }
  }

  private warm(fn: FunctionConfig, version: string): string {
    const warm = this.runtime.environments(fn.functionName).filter((e) => e.version === version && e.state !== 'stopped').length;
    return warm ? `${warm} warm` : '';
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
    this.refresh.dispose();
  }
}

/** `1`, or `1 (70%) · 2 (30%)` when the alias splits traffic. */
export function routing(alias: AliasRecord): string {
  const extra = Object.entries(alias.routingConfig?.AdditionalVersionWeights ?? {});
  if (!extra.length) return alias.functionVersion;
  const rest = 1 - extra.reduce((sum, [, w]) => sum + w, 0);
  return [`${alias.functionVersion} (${percent(rest)})`, ...extra.map(([v, w]) => `${v} (${percent(w)})`)].join(' · ');
}

function percent(weight: number): string {
  return `${Math.round(weight * 1000) / 10}%`;
}

/** Lambda's `2024-05-01T12:34:56.789+0000` as local `2024-05-01 14:34`. */
function shortDate(awsDate: string): string {
  const d = new Date(awsDate);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function shortHash(codeSha256: string): string {
  return codeSha256 ? `sha256 ${codeSha256.slice(0, 8)}` : '';
}

/** `provisioned 2 · READY`, or the figures that are short of what was requested. */
export function provisionedSummary(p: ProvisionedConfigStatus): string {
  if (p.status === 'FAILED') return `provisioned ${p.requested} · FAILED`;
  if (p.status === 'IN_PROGRESS') return `provisioned ${p.allocated}/${p.requested} · IN_PROGRESS`;
  return `provisioned ${p.requested} · ${p.available === p.requested ? 'READY' : `${p.available} available · READY`}`;
}

function provisionedRows(p: ProvisionedConfigStatus): string[] {
  return [
    '| Provisioned concurrency | |',
    '|---|---|',
    `| Status | ${p.status}${p.statusReason ? `: ${cell(p.statusReason)}` : ''} |`,
    `| Requested | ${p.requested} |`,
    `| Allocated | ${p.allocated} |`,
    `| Available | ${p.available} |`,
    ...(p.qualifier !== p.version ? [`| Version | ${cell(p.version)} |`] : []),
    `| Last modified | ${cell(p.lastModified)} |`,
  ];
}

function provisionedIcon(p: ProvisionedConfigStatus | undefined): vscode.ThemeIcon | undefined {
  if (p?.status === 'IN_PROGRESS') return new vscode.ThemeIcon('loading~spin');
  if (p?.status === 'FAILED') return new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground'));
  return undefined;
}

function versionTooltip(fn: FunctionConfig, info: VersionInfo, provisioned?: ProvisionedConfigStatus): vscode.MarkdownString {
  return new vscode.MarkdownString(
    [
      `**${cell(fn.functionName)}** version ${cell(info.version)}${info.description ? ` — ${cell(info.description)}` : ''}`,
      '',
      '| | |',
      '|---|---|',
      `| Last modified | ${cell(info.lastModified)} |`,
      `| CodeSha256 | \`${cell(info.codeSha256 || 'not built yet')}\` |`,
      `| Code size | ${info.codeSize} bytes |`,
      `| RevisionId | \`${cell(info.revisionId)}\` |`,
      ...(info.layers.length ? [`| Layers | ${info.layers.map((l) => cell(l.arn)).join('<br>')} |`] : []),
      ...(provisioned ? ['', ...provisionedRows(provisioned)] : []),
    ].join('\n'),
  );
}
