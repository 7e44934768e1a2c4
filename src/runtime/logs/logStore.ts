// Log streams on disk: `<stateDir>/logs/<function>/<stream file>.jsonl`, one log event per
// line, appended synchronously so nothing is lost if our process dies. Read back by the CLI
// (`lambda-lab logs`) and the extension's Logs view.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LogRecord } from '../runtimeEvents';

/** What is persisted of a LogRecord (the stream identity is the file). */
type StoredEvent = Pick<LogRecord, 'timestamp' | 'message' | 'kind' | 'requestId' | 'level' | 'source'>;

export interface LogStreamInfo {
  functionName: string;
  logStreamName: string;
  file: string;
  /** ms since epoch of the first and last event. */
  firstEventTimestamp: number;
  lastEventTimestamp: number;
}

/** `2026/11/27/[$LATEST]abc…` → a file name without slashes or brackets. */
const fileNameOf = (streamName: string) => streamName.replace(/[/[\]$]/g, (c) => ({ '/': '-', '[': '', ']': '_', $: '' })[c]!) + '.jsonl';

/** Events of one tick are written with one system call; every stream is flushed before we exit. */
const open = new Set<LogStreamWriter>();
process.once('exit', () => open.forEach((w) => w.flush()));

export class LogStreamWriter {
  private fd: number | undefined;
  private pending = '';
  private scheduled = false;

  constructor(readonly file: string) {}

  append(record: LogRecord): void {
    const stored: StoredEvent = { timestamp: record.timestamp, message: record.message, kind: record.kind };
    if (record.requestId) stored.requestId = record.requestId;
    if (record.level) stored.level = record.level;
    if (record.source) stored.source = record.source;
    this.pending += JSON.stringify(stored) + '\n';
    if (!this.scheduled) {
      this.scheduled = true;
      open.add(this);
      setImmediate(() => this.flush());
    }
  }

  flush(): void {
    this.scheduled = false;
    open.delete(this);
    if (!this.pending) return;
    if (this.fd === undefined) {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      this.fd = fs.openSync(this.file, 'a');
    }
    fs.writeSync(this.fd, this.pending);
    this.pending = '';
  }

  close(): void {
    this.flush();
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }
}

export class LogStore {
  constructor(
    readonly logsDir: string,
    /** Streams kept per function; older ones are deleted when a new one opens. */
    readonly retention = 50,
  ) {}

  private functionDir(functionName: string) {
    return path.join(this.logsDir, functionName.replace(/[^\w.-]/g, '_'));
  }

  /** Opens a new stream, first pruning the function's oldest streams beyond retention. */
  openStream(functionName: string, logStreamName: string): LogStreamWriter {
    const dir = this.functionDir(functionName);
    const existing = this.listStreams(functionName);
    for (const old of existing.slice(0, Math.max(0, existing.length - this.retention + 1))) {
      fs.rmSync(old.file, { force: true });
    }
    const writer = new LogStreamWriter(path.join(dir, fileNameOf(logStreamName)));
    // The header line names the stream, so a reader needs no mapping back from the file name.
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(writer.file, JSON.stringify({ logStreamName, functionName }) + '\n', { flag: 'a' });
    return writer;
  }

  /** The function's streams, oldest first (by first event). */
  listStreams(functionName: string): LogStreamInfo[] {
    // Readers in this process see everything appended so far, written or not.
    open.forEach((w) => w.flush());
    const dir = this.functionDir(functionName);
    let names: string[];
    try {
      names = fs.readdirSync(dir).filter((n) => n.endsWith('.jsonl'));
    } catch {
      return [];
    }
    const streams: LogStreamInfo[] = [];
    for (const name of names) {
      const file = path.join(dir, name);
      const { header, events } = readFile(file);
      if (!header) continue;
      const stat = fs.statSync(file);
      streams.push({
        functionName,
        logStreamName: header.logStreamName,
        file,
        firstEventTimestamp: events[0]?.timestamp ?? stat.birthtimeMs,
        lastEventTimestamp: events.at(-1)?.timestamp ?? stat.mtimeMs,
      });
    }
    return streams.sort((a, b) => a.firstEventTimestamp - b.firstEventTimestamp);
  }

  /** Every event of one stream, in order. */
  readStream(functionName: string, logStreamName: string): LogRecord[] {
    open.forEach((w) => w.flush());
    // The file is named after the stream: read that one, not every stream of the function.
    let contents: ReturnType<typeof readFile>;
    try {
      contents = readFile(path.join(this.functionDir(functionName), fileNameOf(logStreamName)));
    } catch {
      return [];
    }
    if (contents.header?.logStreamName !== logStreamName) return [];
    const version = /\[(.*?)\]/.exec(logStreamName)?.[1] ?? '$LATEST';
    return contents.events.map((e) => ({
      ...e,
      functionName,
      logStreamName,
      version,
      environmentId: '',
      logGroup: `/aws/lambda/${functionName}`,
    }));
  }
}

function readFile(file: string): { header?: { logStreamName: string }; events: StoredEvent[] } {
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
  const events: StoredEvent[] = [];
  let header: { logStreamName: string } | undefined;
  for (const [i, line] of lines.entries()) {
    try {
      const parsed = JSON.parse(line);
      if (i === 0 && typeof parsed.logStreamName === 'string') header = parsed;
      else events.push(parsed);
    } catch {
      // A torn last line from a killed writer: skip it, keep the rest.
    }
  }
  return { header, events };
}
