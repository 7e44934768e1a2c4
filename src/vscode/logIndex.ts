// Log streams per function, split into invocations (START … REPORT). Fed live by the
// runtime's `log` events and, for streams written before this window opened or by the CLI,
// by the runtime's log reader.
import * as vscode from 'vscode';
import type { LocalRuntime } from '../runtime/localRuntime';
import type { EnvironmentInfo, InvocationInfo, InvokeResult, LogRecord } from '../runtime/runtimeEvents';
import { subscribe } from './subscribe';

export interface InvocationLog {
  requestId: string;
  stream: LogStream;
  records: LogRecord[];
  cold: boolean;
  durationMs?: number;
  failed: boolean;
  /** REPORT seen. */
  done: boolean;
}

export interface LogStream {
  functionName: string;
  logStreamName: string;
  version: string;
  records: LogRecord[];
  /** In order of START. */
  invocations: InvocationLog[];
  startedAt: number;
  /** Its environment still runs: documents showing it follow new lines. */
  live: boolean;
}

const MAX_RECORDS_PER_STREAM = 5000;
const REQUEST_ID = /(?:RequestId:\s*|^\S+\t)([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/i;
const DURATION = /\bDuration:\s*([0-9.]+)\s*ms/;

export class LogIndex implements vscode.Disposable {
  private readonly streams = new Map<string, Map<string, LogStream>>();
  private readonly hydrated = new Set<string>();
  private readonly changed = new vscode.EventEmitter<LogStream>();
  /** Fires per record (batched by the consumers that need it). */
  readonly onDidChange = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly runtime: LocalRuntime) {
    this.subscriptions = [
      subscribe(runtime, 'log', (record) => this.add(record)),
      subscribe(runtime, 'invocationStarted', (info) => this.markCold(info)),
      subscribe(runtime, 'invocationEnded', (info, result) => this.settle(info, result)),
      subscribe(runtime, 'environmentStarted', (env) => void this.ensure(env.functionName, env.logStreamName, env.version, true)),
      subscribe(runtime, 'environmentStopped', (env) => this.endStream(env)),
    ];
  }

  private endStream(env: EnvironmentInfo): void {
    const s = this.streams.get(env.functionName)?.get(env.logStreamName);
    if (s) {
      s.live = false;
      this.changed.fire(s);
    }
  }

  functionNames(): string[] {
    return [...this.streams.keys()].sort();
  }

  /** Newest first. */
  streamsOf(functionName: string): LogStream[] {
    return [...(this.streams.get(functionName)?.values() ?? [])].sort((a, b) => b.startedAt - a.startedAt);
  }

  stream(functionName: string, logStreamName: string): LogStream | undefined {
    return this.streams.get(functionName)?.get(logStreamName);
  }

  invocation(requestId: string): InvocationLog | undefined {
    for (const byName of this.streams.values()) {
      for (const s of byName.values()) {
        const hit = s.invocations.find((i) => i.requestId === requestId);
        if (hit) return hit;
      }
    }
    return undefined;
  }

  /** Reads the streams persisted on disk (earlier sessions, the CLI) for this function, once. */
  async hydrate(functionName: string): Promise<void> {
    if (this.hydrated.has(functionName)) return;
    this.hydrated.add(functionName);
    for (const { logStreamName } of this.runtime.logs.listStreams(functionName)) {
      if (this.stream(functionName, logStreamName)) continue; // already fed live
      // Quietly: the caller renders what it hydrated; change events would only re-render the tree under the user's click.
      for (const record of this.runtime.logs.readStream(functionName, logStreamName)) this.add(record, true);
      const s = this.stream(functionName, logStreamName);
      if (s) s.live = false;
    }
  }

  private add(record: LogRecord, quiet = false): void {
    const s = this.ensure(record.functionName, record.logStreamName, record.version, true, quiet);
    if (s.records.length === 0 || record.timestamp < s.startedAt) s.startedAt = record.timestamp;
    s.records.push(record);
    if (s.records.length > MAX_RECORDS_PER_STREAM) s.records.splice(0, s.records.length - MAX_RECORDS_PER_STREAM);
    const requestId = record.requestId ?? REQUEST_ID.exec(record.message)?.[1];
    if (requestId) {
      let inv = s.invocations.find((i) => i.requestId === requestId);
      if (!inv) {
        // The first invocation of a stream is the cold one (its environment just ran init).
        inv = { requestId, stream: s, records: [], cold: s.invocations.length === 0, failed: false, done: false };
        s.invocations.push(inv);
      }
      inv.records.push(record);
      if (record.message.startsWith('REPORT')) {
        inv.done = true;
        inv.durationMs ??= Number(DURATION.exec(record.message)?.[1]);
        if (/Init Duration/.test(record.message)) inv.cold = true;
        if (/Status:\s*(error|timeout)/i.test(record.message)) inv.failed = true;
      }
      if (/Task timed out|\tERROR\tInvoke Error/.test(record.message)) inv.failed = true;
    }
    if (!quiet) this.changed.fire(s);
  }

  private ensure(functionName: string, logStreamName: string, version: string, live: boolean, quiet = false): LogStream {
    let byName = this.streams.get(functionName);
    if (!byName) this.streams.set(functionName, (byName = new Map()));
    let s = byName.get(logStreamName);
    if (!s) {
      s = { functionName, logStreamName, version, records: [], invocations: [], startedAt: Date.now(), live };
      byName.set(logStreamName, s);
      this.prune(byName);
      if (!quiet) this.changed.fire(s);
    }
    return s;
  }

  private markCold(info: InvocationInfo): void {
    const inv = this.invocation(info.requestId);
    if (inv) inv.cold = info.cold;
  }

  private settle(info: InvocationInfo, result: InvokeResult): void {
    const inv = this.invocation(info.requestId);
    if (!inv) return;
    inv.cold = result.cold;
    inv.durationMs = result.durationMs;
    inv.failed = result.functionError !== undefined;
    this.changed.fire(inv.stream);
  }

  /** Keeps memory bounded: as many streams per function as are kept on disk. */
  private prune(byName: Map<string, LogStream>): void {
    const keep = this.runtime.options.logRetention ?? 50;
    const oldestFirst = [...byName.values()].filter((s) => !s.live).sort((a, b) => a.startedAt - b.startedAt);
    while (byName.size > keep && oldestFirst.length) byName.delete(oldestFirst.shift()!.logStreamName);
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
    this.changed.dispose();
  }
}
