// What the asynchronous queue leaves under each template's `.lambda-lab/async/`, read back
// for the Functions view: events still queued (with their attempts so far), the records kept
// for OnSuccess/OnFailure destinations, dead-letter messages and dropped events, and each
// function's asynchronous setup. The files are the truth whoever wrote them (this window, the
// Lambda API server, the CLI), so the model re-reads them when they change.
import { readdir, readFile, rm } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ASYNC_DIR, deadLetterFolder } from '../runtime/async/destinationFiles';
import { EventInvokeConfigStore, type StoredEventInvokeConfig } from '../runtime/async/eventInvokeConfigStore';
import type { InvocationRecord } from '../runtime/async/invocationRecord';
import type { FunctionConfig } from '../runtime/functionConfig';
import type { LocalRuntime } from '../runtime/localRuntime';
import { subscribe } from './subscribe';
import { TreeRefresh } from './treeRefresh';
import type { TemplateWorkspace } from './templateWorkspace';

export type AsyncRecordKind = 'queued' | 'OnSuccess' | 'OnFailure' | 'DeadLetterQueue' | 'dropped';

export interface AsyncRecord {
  kind: AsyncRecordKind;
  file: string;
  functionName: string;
  requestId: string;
  /** The event as the function received it: what a re-drive sends again. */
  payload: string;
  /** ms since epoch: when queued, delivered or dropped. */
  at: number;
  /** Times the function ran the event (approximateInvokeCount), when known. */
  attempts?: number;
  /** Condition, error or reason, as the record states it. */
  detail?: string;
  /** Where the record went: `sqs/failed-orders`, `sns/dead-letters`... */
  destination?: string;
  /** Queued events: ms since epoch before which the next attempt does not start. */
  notBefore?: number;
}

export interface AsyncSetup {
  /** `$LATEST`'s configuration. */
  config?: StoredEventInvokeConfig;
  /** The configurations of versions and aliases, from the template or the Lambda API. */
  qualified: Array<{ qualifier: string; config: StoredEventInvokeConfig }>;
  deadLetter?: string;
  /** Reserved concurrency 0: Lambda sends new events straight to OnFailure/DLQ, never running them. */
  throttledToZero: boolean;
}

/** Files read per folder at most: a runaway queue must not stall the view. */
const MAX_FILES = 500;

export class AsyncRecords implements vscode.Disposable {
  private readonly refresh = new TreeRefresh<void>(200);
  /** Fires after the records or setups were read again. */
  readonly onDidChange = this.refresh.event;
  private records: AsyncRecord[] = [];
  private setups = new Map<string, AsyncSetup>();
  private watchers: vscode.Disposable[] = [];
  private readonly subscriptions: vscode.Disposable[];
  private loading: Promise<void> | undefined;
  private again = false;
  private readonly running = new Set<string>();

  constructor(
    private readonly runtime: LocalRuntime,
    private readonly templates: TemplateWorkspace,
  ) {
    // An Event invoke keeps its event's request id: a queued event whose id is running is in flight.
    this.subscriptions = [
      templates.onDidChange(() => void this.reload()),
      subscribe(runtime, 'invocationStarted', (info) => this.running.add(info.requestId) && this.refresh.soon()),
      subscribe(runtime, 'invocationEnded', (info) => this.running.delete(info.requestId) && this.refresh.soon()),
    ];
    void this.reload();
  }

  of(fn: FunctionConfig): AsyncRecord[] {
    return this.records.filter((r) => r.functionName === fn.functionName);
  }

  /** Whether an attempt of this queued event runs now. */
  inFlight(record: AsyncRecord): boolean {
    return record.kind === 'queued' && this.running.has(record.requestId);
  }

  /** State folders with events waiting in their queue, whichever process queued them. */
  queueStateDirs(): string[] {
    const queued = this.records.filter((r) => r.kind === 'queued');
    return [...new Set(queued.map((r) => path.resolve(path.dirname(r.file), '..', '..')))];
  }

  setupOf(fn: FunctionConfig): AsyncSetup | undefined {
    return this.setups.get(fn.functionName);
  }

  async delete(record: AsyncRecord): Promise<void> {
    await rm(record.file, { force: true });
    await this.reload();
  }

  /** Reads every template's records and setups again (calls during a read run once more after it). */
  reload(): Promise<void> {
    if (this.loading) {
      this.again = true;
      return this.loading;
    }
    this.loading = this.load().finally(() => {
      this.loading = undefined;
      if (this.again) {
        this.again = false;
        void this.reload();
      }
    });
    return this.loading;
  }

  private async load(): Promise<void> {
    const stateDirs = new Map<string, FunctionConfig[]>();
    for (const templatePath of this.templates.templates()) {
      const dir = this.runtime.stateDirFor(templatePath);
      stateDirs.set(dir, [...(stateDirs.get(dir) ?? []), ...this.templates.functions(templatePath)]);
    }
    this.watch([...stateDirs.keys()]);
    const records: AsyncRecord[] = [];
    const setups = new Map<string, AsyncSetup>();
    for (const [stateDir, fns] of stateDirs) {
      const configs = new EventInvokeConfigStore(() => this.runtime.templateModels(), stateDir);
      for (const fn of fns) {
        const setup: AsyncSetup = {
          config: await configs.get(fn.functionName).catch(() => undefined),
          qualified: (await configs.list(fn.functionName).catch(() => [])).filter((q) => q.qualifier !== '$LATEST'),
          deadLetter: configs.deadLetterTarget(fn.functionName),
          throttledToZero: fn.reservedConcurrentExecutions === 0,
        };
        if (setup.config || setup.qualified.length || setup.deadLetter || setup.throttledToZero) setups.set(fn.functionName, setup);
      }
      records.push(...(await readRecords(stateDir, fns, setups)));
    }
    this.records = records.sort((a, b) => b.at - a.at);
    this.setups = setups;
    this.refresh.soon();
  }

  /** One watcher per state folder's `async/`, created as templates appear. */
  private watch(stateDirs: string[]): void {
    for (const w of this.watchers) w.dispose();
    this.watchers = stateDirs.map((dir) => {
      const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(dir), `${ASYNC_DIR}/**`));
      const changed = () => void this.reload();
      return vscode.Disposable.from(watcher, watcher.onDidCreate(changed), watcher.onDidChange(changed), watcher.onDidDelete(changed));
    });
  }

  dispose(): void {
    for (const d of [...this.subscriptions, ...this.watchers]) d.dispose();
    this.refresh.dispose();
  }
}

async function readRecords(stateDir: string, fns: FunctionConfig[], setups: Map<string, AsyncSetup>): Promise<AsyncRecord[]> {
  const root = path.join(stateDir, ASYNC_DIR);
  const out: AsyncRecord[] = [];
  for (const file of await filesUnder(path.join(root, 'queue'))) {
    const q = await readJson<QueuedFile>(file);
    if (!q || typeof q.functionName !== 'string') continue;
    out.push({
      kind: 'queued',
      file,
      functionName: q.functionName,
      requestId: String(q.requestId),
      payload: Buffer.from(String(q.payload ?? ''), 'base64').toString('utf8'),
      at: Number(q.enqueuedAt) || 0,
      attempts: Number(q.invokeCount) || 0,
      notBefore: Number(q.notBefore) || undefined,
    });
  }
  for (const file of await filesUnder(path.join(root, 'dropped'))) {
    const d = await readJson<DroppedFile>(file);
    if (!d || typeof d.functionName !== 'string') continue;
    out.push({
      kind: 'dropped',
      file,
      functionName: d.functionName,
      requestId: String(d.requestId),
      payload: String(d.payload ?? ''),
      at: Date.parse(String(d.droppedAt)) || 0,
      detail: String(d.reason ?? ''),
    });
  }
  const destinations = path.join(root, 'destinations');
  for (const file of await filesUnder(destinations)) {
    const content = await readJson<InvocationRecord | { detail: InvocationRecord }>(file);
    const record = content && 'detail' in content ? content.detail : content;
    const functionName = /:function:([^:]+)/.exec(String(record?.requestContext?.functionArn))?.[1];
    if (!record || !functionName) continue;
    const success = record.requestContext.condition === 'Success';
    out.push({
      kind: success ? 'OnSuccess' : 'OnFailure',
      file,
      functionName,
      requestId: record.requestContext.requestId,
      payload: eventText(record.requestPayload),
      at: Date.parse(record.timestamp) || 0,
      attempts: record.requestContext.approximateInvokeCount,
      detail: success ? 'Success' : `${record.requestContext.condition}${errorOf(record.responsePayload)}`,
      destination: path.relative(destinations, file).split(path.sep).slice(0, 2).join('/'),
    });
  }
  // A dead-letter message does not name its function: the folder of the function's DLQ does.
  for (const fn of fns) {
    const arn = setups.get(fn.functionName)?.deadLetter;
    if (!arn) continue;
    const folder = deadLetterFolder(stateDir, arn);
    for (const file of await filesUnder(folder)) {
      const m = await readJson<DeadLetterFile>(file);
      if (!m) continue;
      const attributes = m.MessageAttributes ?? {};
      const attribute = (name: string) => attributes[name]?.StringValue ?? attributes[name]?.Value;
      out.push({
        kind: 'DeadLetterQueue',
        file,
        functionName: fn.functionName,
        requestId: attribute('RequestID') ?? path.basename(file, '.json'),
        payload: String(m.Body ?? m.Message ?? ''),
        at:
          Date.parse(
            path
              .basename(file)
              .slice(0, 24)
              .replace(/T(\d\d)-(\d\d)-(\d\d)/, 'T$1:$2:$3'),
          ) || 0,
        detail: attribute('ErrorMessage'),
        destination: path.relative(path.join(root, 'dead-letter'), folder).split(path.sep).join('/'),
      });
    }
  }
  return out;
}

interface QueuedFile {
  requestId?: unknown;
  functionName?: unknown;
  payload?: unknown;
  enqueuedAt?: unknown;
  invokeCount?: unknown;
  notBefore?: unknown;
}

interface DroppedFile {
  requestId?: unknown;
  functionName?: unknown;
  payload?: unknown;
  droppedAt?: unknown;
  reason?: unknown;
}

interface DeadLetterFile {
  Body?: string;
  Message?: string;
  MessageAttributes?: Record<string, { StringValue?: string; Value?: string }>;
}

/** A record's requestPayload back as the event text: parsed JSON is written again, text stays text. */
function eventText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value ?? null);
}

function errorOf(response: unknown): string {
  const r = response as { errorType?: unknown; errorMessage?: unknown } | null | undefined;
  if (typeof r?.errorMessage !== 'string') return '';
  return ` · ${typeof r.errorType === 'string' ? `${r.errorType}: ` : ''}${r.errorMessage}`;
}

async function filesUnder(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { recursive: true, withFileTypes: true });
    return entries
      .filter((e) => e.isFile() && !e.name.endsWith('.tmp'))
      .slice(0, MAX_FILES)
      .map((e) => path.join(e.parentPath, e.name));
  } catch {
    return [];
  }
}

/** A record being replaced (atomic writes rename over it) or written by hand may not parse: skipped until it does. */
async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}
