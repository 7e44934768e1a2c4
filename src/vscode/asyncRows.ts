// The Functions view's asynchronous rows under a function: "Async setup" (retries, event age,
// destinations, dead-letter queue, reserved concurrency 0) when it has one, and "Async events
// (n)" when events are queued or have left records: each opens as JSON, re-drives or deletes.
import * as vscode from 'vscode';
import {
  destinationKind,
  destinationName,
  DEFAULT_MAXIMUM_EVENT_AGE_S,
  DEFAULT_MAXIMUM_RETRY_ATTEMPTS,
} from '../runtime/async/eventInvokeConfig';
import type { StoredEventInvokeConfig } from '../runtime/async/eventInvokeConfigStore';
import type { FunctionConfig } from '../runtime/functionConfig';
import type { AsyncRecord, AsyncRecords } from './asyncRecords';
import { cell, clock } from './treeFormat';

export type AsyncNode =
  | { kind: 'asyncSetup'; fn: FunctionConfig }
  | { kind: 'asyncSetting'; fn: FunctionConfig; label: string; value: string; icon: string; tooltip: string }
  | { kind: 'asyncQualifier'; fn: FunctionConfig; qualifier: string; config: StoredEventInvokeConfig }
  | { kind: 'asyncEvents'; fn: FunctionConfig }
  | { kind: 'asyncEvent'; fn: FunctionConfig; record: AsyncRecord };

const KINDS = new Set(['asyncSetup', 'asyncSetting', 'asyncQualifier', 'asyncEvents', 'asyncEvent']);

export function isAsyncNode(node: { kind: string }): node is AsyncNode {
  return KINDS.has(node.kind);
}

const LABELS: Record<AsyncRecord['kind'], string> = {
  queued: 'queued',
  OnSuccess: 'OnSuccess record',
  OnFailure: 'OnFailure record',
  DeadLetterQueue: 'dead-letter message',
  dropped: 'dropped',
};

export class AsyncRows {
  get onDidChange() {
    return this.records.onDidChange;
  }

  constructor(private readonly records: AsyncRecords) {}

  rowsOf(fn: FunctionConfig): AsyncNode[] {
    const rows: AsyncNode[] = [];
    if (this.records.setupOf(fn)) rows.push({ kind: 'asyncSetup', fn });
    if (this.records.of(fn).length) rows.push({ kind: 'asyncEvents', fn });
    return rows;
  }

  children(node: AsyncNode): AsyncNode[] {
    if (node.kind === 'asyncEvents') return this.records.of(node.fn).map((record) => ({ kind: 'asyncEvent', fn: node.fn, record }));
    if (node.kind === 'asyncSetup') {
      const qualified = this.records.setupOf(node.fn)?.qualified ?? [];
      return [
        ...this.settings(node.fn),
        ...qualified.map(({ qualifier, config }) => ({ kind: 'asyncQualifier' as const, fn: node.fn, qualifier, config })),
      ];
    }
    if (node.kind === 'asyncQualifier') return configRows(node.fn, node.config);
    return [];
  }

  item(node: AsyncNode): vscode.TreeItem {
    const { fn } = node;
    switch (node.kind) {
      case 'asyncSetup': {
        const item = new vscode.TreeItem('Async setup', vscode.TreeItemCollapsibleState.Collapsed);
        item.description = summary(this.settings(fn));
        item.tooltip = `How asynchronous (Event) invokes of ${fn.functionName} are retried and where their outcome goes.`;
        item.iconPath = new vscode.ThemeIcon('settings-gear');
        item.contextValue = 'asyncSetup';
        item.id = `asyncSetup:${fn.templatePath}#${fn.logicalId}`;
        return item;
      }
      case 'asyncSetting': {
        const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
        item.description = node.value;
        item.tooltip = node.tooltip;
        item.iconPath = new vscode.ThemeIcon(node.icon);
        item.contextValue = 'asyncSetting';
        return item;
      }
      case 'asyncQualifier': {
        const item = new vscode.TreeItem(node.qualifier, vscode.TreeItemCollapsibleState.Collapsed);
        item.description = summary(configRows(fn, node.config));
        item.tooltip = `How asynchronous (Event) invokes of ${fn.functionName}:${node.qualifier} are retried and where their outcome goes (EventInvokeConfig of that qualifier).`;
        item.iconPath = new vscode.ThemeIcon('tag');
        item.contextValue = 'asyncQualifier';
        item.id = `asyncQualifier:${fn.templatePath}#${fn.logicalId}:${node.qualifier}`;
        return item;
      }
      case 'asyncEvents': {
        const records = this.records.of(fn);
        const queued = records.filter((r) => r.kind === 'queued').length;
        const item = new vscode.TreeItem('Async events', vscode.TreeItemCollapsibleState.Collapsed);
        item.description = [String(records.length), queued ? `${queued} queued` : undefined].filter(Boolean).join(' · ');
        item.tooltip = `Asynchronous events of ${fn.functionName}: queued, and the records kept for destinations and the dead-letter queue (.lambda-lab/async/).`;
        item.iconPath = new vscode.ThemeIcon(queued ? 'loading~spin' : 'inbox');
        item.contextValue = 'asyncEvents';
        item.id = `asyncEvents:${fn.templatePath}#${fn.logicalId}`;
        return item;
      }
      case 'asyncEvent':
        return recordItem(node, this.records.inFlight(node.record));
      default:
        return new vscode.TreeItem('');
    }
  }

  private settings(fn: FunctionConfig): Extract<AsyncNode, { kind: 'asyncSetting' }>[] {
    const setup = this.records.setupOf(fn);
    if (!setup) return [];
    const rows: Extract<AsyncNode, { kind: 'asyncSetting' }>[] = [];
    const add = (label: string, value: string, icon: string, tooltip: string) =>
      rows.push({ kind: 'asyncSetting', fn, label, value, icon, tooltip });
    const { config } = setup;
    if (setup.throttledToZero) {
      add(
        'Reserved concurrency 0',
        'events are not run',
        'circle-slash',
        'ReservedConcurrentExecutions is 0: as in Lambda, new asynchronous events go straight to the OnFailure destination or dead-letter queue, without running or retrying.',
      );
    }
    if (config) rows.push(...configRows(fn, config));
    if (setup.deadLetter)
      add(
        'Dead-letter queue',
        destinationLabel(setup.deadLetter),
        'archive',
        `DeadLetterQueue ${setup.deadLetter}: gets the event itself after its last failed attempt.`,
      );
    return rows;
  }
}

type SettingRow = Extract<AsyncNode, { kind: 'asyncSetting' }>;

/** Retries, event age and destinations of one EventInvokeConfig. */
function configRows(fn: FunctionConfig, config: StoredEventInvokeConfig): SettingRow[] {
  const rows: SettingRow[] = [];
  const add = (label: string, value: string, icon: string, tooltip: string) =>
    rows.push({ kind: 'asyncSetting', fn, label, value, icon, tooltip });
  const count = config.MaximumRetryAttempts ?? DEFAULT_MAXIMUM_RETRY_ATTEMPTS;
  add(
    'Retries',
    `${count}${config.MaximumRetryAttempts === undefined ? ' (default)' : ''}`,
    'debug-restart',
    'MaximumRetryAttempts (0–2): attempts after the first that failed with a function error.',
  );
  const age = config.MaximumEventAgeInSeconds ?? DEFAULT_MAXIMUM_EVENT_AGE_S;
  add(
    'Maximum event age',
    `${age} s${config.MaximumEventAgeInSeconds === undefined ? ' (default)' : ''}`,
    'watch',
    'MaximumEventAgeInSeconds (60–21600): older events are not run again.',
  );
  for (const which of ['OnSuccess', 'OnFailure'] as const) {
    const arn = config.DestinationConfig?.[which]?.Destination;
    if (arn) add(which, destinationLabel(arn), which === 'OnSuccess' ? 'pass' : 'error', `${which} destination ${arn}`);
  }
  return rows;
}

/** The gist: what happens to a failing event. The event age is in the rows below. */
function summary(rows: SettingRow[]): string {
  const short: Record<string, (value: string) => string> = {
    'Reserved concurrency 0': () => 'not run (reserved concurrency 0)',
    Retries: (value) => retries(value.split(' ')[0]),
    OnSuccess: () => 'OnSuccess',
    OnFailure: () => 'OnFailure',
    'Dead-letter queue': () => 'DLQ',
  };
  return rows.flatMap((s) => (short[s.label] ? [short[s.label](s.value)] : [])).join(' · ');
}

const retries = (n: string) => `${n} ${n === '1' ? 'retry' : 'retries'}`;

/** `SQS failed-orders`, `function Audit`. */
function destinationLabel(arn: string): string {
  const kind = destinationKind(arn);
  const service = { lambda: 'function', sqs: 'SQS', sns: 'SNS', events: 'EventBridge', s3: 'S3' }[kind ?? 'sqs'];
  return kind ? `${service} ${destinationName(arn)}` : arn;
}

function recordItem(node: Extract<AsyncNode, { kind: 'asyncEvent' }>, inFlight: boolean): vscode.TreeItem {
  const { record } = node;
  const failed = record.kind === 'OnFailure' || record.kind === 'DeadLetterQueue' || record.kind === 'dropped';
  const item = new vscode.TreeItem(LABELS[record.kind], vscode.TreeItemCollapsibleState.None);
  const times = (n: number) => `${n} attempt${n === 1 ? '' : 's'}`;
  const next = record.notBefore && record.notBefore > Date.now() ? ` · next at ${clock(record.notBefore)}` : '';
  const attempts =
    record.attempts === undefined
      ? undefined
      : record.kind !== 'queued'
        ? times(record.attempts)
        : inFlight
          ? `attempt ${record.attempts + 1} running`
          : record.attempts
            ? `${times(record.attempts)} failed${next}`
            : 'waiting for its first attempt';
  item.description = [attempts, record.destination, record.at ? clock(record.at) : undefined, record.requestId.slice(0, 8)]
    .filter(Boolean)
    .join(' · ');
  item.iconPath =
    record.kind === 'queued'
      ? new vscode.ThemeIcon(inFlight ? 'sync~spin' : 'clock')
      : new vscode.ThemeIcon(failed ? 'error' : 'pass', new vscode.ThemeColor(failed ? 'testing.iconFailed' : 'testing.iconPassed'));
  item.tooltip = new vscode.MarkdownString(
    [
      `**${cell(LABELS[record.kind])}** of ${cell(record.functionName)} \`${record.requestId}\``,
      '',
      ...(record.detail ? [cell(record.detail), ''] : []),
      `Event: \`${cell(record.payload.slice(0, 200))}\``,
      '',
      `\`${cell(vscode.workspace.asRelativePath(record.file))}\``,
    ].join('\n'),
  );
  item.contextValue = record.kind === 'queued' ? 'asyncQueuedEvent' : 'asyncRecord';
  item.id = `asyncEvent:${record.file}`;
  item.command = { command: 'lambdaLab.openAsyncRecord', title: 'Open Record', arguments: [node] };
  return item;
}
