// One environment's log stream: every line its process writes and every platform line, as
// records for subscribers, appended to the persisted stream, and collected into the running
// invocation's tail (`LogType: Tail`, the last 4 KB) and, during init, the init lines a
// failed init shows in the first invocation's tail.
import * as crypto from 'node:crypto';
import type { BootstrapLogRecord } from '../bootstrap/bootstrapProtocol';
import type { FunctionConfig } from '../functionConfig';
import type { LogStore, LogStreamWriter } from '../logs/logStore';
import type { LogKind, LogRecord, RuntimeEventEmitter } from '../runtimeEvents';

/** The last 4 KB of an invocation's log are what `LogType: Tail` returns. */
const TAIL_BYTES = 4096;

export interface EnvironmentLogSpec {
  fn: FunctionConfig;
  version: string;
  environmentId: string;
  logStore: LogStore;
  events: RuntimeEventEmitter;
}

/** The lines of one invocation, from START on. */
export interface InvocationTail {
  requestId: string;
  lines: string[];
}

export class EnvironmentLog {
  /** Lambda's stream name, `2026/11/27/[$LATEST]<32 hex>`. */
  readonly streamName: string;
  private readonly writer: LogStreamWriter;
  private readonly initLines: string[] = [];
  private collectingInit = true;
  /** The invocation whose lines are being collected: set from delivery until its REPORT. */
  private tail: InvocationTail | undefined;

  constructor(private readonly spec: EnvironmentLogSpec) {
    const day = new Date().toISOString().slice(0, 10).replace(/-/g, '/');
    this.streamName = `${day}/[${spec.version}]${crypto.randomBytes(16).toString('hex')}`;
    this.writer = spec.logStore.openStream(spec.fn.functionName, this.streamName);
  }

  /** Init is over: later lines are no longer init lines. */
  endInit(): void {
    this.collectingInit = false;
  }

  /** Starts collecting an invocation's tail; a failed init's lines come first. */
  startTail(requestId: string, withInitLines = false): void {
    this.tail = { requestId, lines: withInitLines ? [...this.initLines] : [] };
  }

  /** Stops collecting and returns the last 4 KB. */
  takeTail(): string {
    const lines = this.tail?.lines ?? [];
    this.tail = undefined;
    return tailOf(lines);
  }

  /** The last 4 KB so far, collecting on (the caller's answer comes before END while extensions work). */
  peekTail(): string {
    return tailOf(this.tail?.lines ?? []);
  }

  /** The request id of the invocation being collected, which unattributed lines belong to. */
  get currentRequestId(): string | undefined {
    return this.tail?.requestId;
  }

  platform(message: string, requestId?: string): void {
    this.emit(message, 'platform', { requestId });
  }

  /** A plain line from stdout or stderr: it belongs to the running invocation, if any. */
  functionLine(line: string): void {
    this.emit(line, 'function', { requestId: this.tail?.requestId });
  }

  /** A line of the bootstrap's structured channel (bootstrapProtocol's BootstrapLogRecord). */
  structuredLine(line: string): void {
    let record: BootstrapLogRecord;
    try {
      record = JSON.parse(line);
    } catch {
      return this.functionLine(line);
    }
    this.emit(record.line, 'function', {
      timestamp: record.timestamp,
      requestId: record.requestId,
      level: record.level,
      source: record.source,
    });
  }

  close(): void {
    this.writer.close();
  }

  private emit(message: string, kind: LogKind, extra: Partial<LogRecord>) {
    const { fn, version, environmentId } = this.spec;
    const record: LogRecord = {
      functionName: fn.functionName,
      version,
      environmentId,
      logGroup: fn.loggingConfig.logGroup,
      logStreamName: this.streamName,
      timestamp: extra.timestamp ?? Date.now(),
      message,
      kind,
      requestId: extra.requestId,
      level: extra.level,
      source: extra.source,
    };
    this.writer.append(record);
    if (this.collectingInit) this.initLines.push(message);
    if (this.tail && (!record.requestId || record.requestId === this.tail.requestId)) this.tail.lines.push(message);
    this.spec.events.emit('log', record);
  }
}

function tailOf(lines: string[]): string {
  const text = lines.length ? lines.join('\n') + '\n' : '';
  // A UTF-16 unit takes at most 3 UTF-8 bytes: short tails need no encoding to measure.
  if (text.length * 3 <= TAIL_BYTES) return text;
  const buf = Buffer.from(text);
  return buf.length <= TAIL_BYTES ? text : buf.subarray(buf.length - TAIL_BYTES).toString();
}
