// Log streams on disk: `<stateDir>/logs/<function>/<stream file>.jsonl` (logStreamFile), one
// log event per line, written synchronously within WRITE_DELAY_MS and at exit. Read back
// by the CLI (`lambda-lab logs`) and the extension's Logs view. Retention and listing read only
// the ends of each file, so their cost does not grow with the volume logged, and never delete
// a stream an environment still writes, in this process or another.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LogRecord } from '../runtimeEvents';
import { CLOSED_LINE, readEnds, readEvents, type StoredEvent, type StreamHeader } from './logStreamFile';

export interface LogStreamInfo {
  functionName: string;
  logStreamName: string;
  file: string;
  /** ms since epoch of the first and last event (the file's times when they cannot be read). */
  firstEventTimestamp: number;
  lastEventTimestamp: number;
}

/** `2026/11/27/[$LATEST]abc…` → a file name without slashes or brackets. */
const fileNameOf = (streamName: string) => streamName.replace(/[/[\]$]/g, (c) => ({ '/': '-', '[': '', ']': '_', $: '' })[c]!) + '.jsonl';

/**
 * How long appended events wait to be written: back-to-back warm invokes (each logs START, END
 * and REPORT) share one system call instead of costing one each. Readers in this process
 * flush first; other processes see events this much later.
 */
const WRITE_DELAY_MS = 10;
/** Writers open in this process with events not yet written; flushed before we exit. */
const pendingWriters = new Set<LogStreamWriter>();
/** Files of the streams this process's environments still write. */
const liveFiles = new Set<string>();
process.once('exit', () => pendingWriters.forEach((w) => w.flush()));

export class LogStreamWriter {
  private fd: number | undefined;
  private pending = '';
  private scheduled = false;
  private closed = false;

  constructor(readonly file: string) {
    liveFiles.add(file);
  }

  append(record: LogRecord): void {
    if (this.closed) return;
    const stored: StoredEvent = { timestamp: record.timestamp, message: record.message, kind: record.kind };
    if (record.requestId) stored.requestId = record.requestId;
    if (record.level) stored.level = record.level;
    if (record.source) stored.source = record.source;
    this.pending += JSON.stringify(stored) + '\n';
    if (!this.scheduled) {
      this.scheduled = true;
      pendingWriters.add(this);
      setTimeout(() => this.flush(), WRITE_DELAY_MS).unref();
    }
  }

  flush(): void {
    this.scheduled = false;
    pendingWriters.delete(this);
    if (!this.pending) return;
    if (this.fd === undefined) {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      this.fd = fs.openSync(this.file, 'a');
    }
    fs.writeSync(this.fd, this.pending);
    this.pending = '';
  }

  /** The environment stopped: the stream is complete, and retention may delete it. */
  close(): void {
    if (this.closed) return;
    this.pending += CLOSED_LINE + '\n';
    this.flush();
    this.closed = true;
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
    liveFiles.delete(this.file);
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

  /** Opens a new stream, first pruning the function's oldest finished streams beyond retention. */
  openStream(functionName: string, logStreamName: string): LogStreamWriter {
    const dir = this.functionDir(functionName);
    const existing = this.listStreams(functionName);
    let excess = existing.length - this.retention + 1;
    for (const old of existing) {
      if (excess <= 0) break;
      if (this.isLive(old.file)) continue;
      fs.rmSync(old.file, { force: true });
      excess--;
    }
    // The header names the stream (no mapping back from the file name), orders it, and says who writes it.
    const header: StreamHeader = { logStreamName, functionName, createdAt: performance.timeOrigin + performance.now(), pid: process.pid };
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, fileNameOf(logStreamName));
    fs.writeFileSync(file, JSON.stringify(header) + '\n', { flag: 'a' });
    return new LogStreamWriter(file);
  }

  /** The function's streams, oldest first. Reads the ends of each file only. */
  listStreams(functionName: string): LogStreamInfo[] {
    // Readers in this process see everything appended so far, written or not.
    pendingWriters.forEach((w) => w.flush());
    const dir = this.functionDir(functionName);
    let names: string[];
    try {
      names = fs.readdirSync(dir).filter((n) => n.endsWith('.jsonl'));
    } catch {
      return [];
    }
    const streams: Array<LogStreamInfo & { order: number }> = [];
    for (const name of names) {
      const file = path.join(dir, name);
      try {
        const ends = readEnds(file);
        if (!ends.header) continue;
        const stat = fs.statSync(file);
        streams.push({
          functionName,
          logStreamName: ends.header.logStreamName,
          file,
          firstEventTimestamp: ends.firstEventTimestamp ?? stat.birthtimeMs,
          lastEventTimestamp: ends.lastEventTimestamp ?? stat.mtimeMs,
          order: ends.header.createdAt ?? ends.firstEventTimestamp ?? stat.mtimeMs,
        });
      } catch {
        // deleted meanwhile by another process's retention
      }
    }
    return streams.sort((a, b) => a.order - b.order).map(({ order: _, ...s }) => s);
  }

  /** Every event of one stream, in order, read as it is iterated (a stream may not fit in memory). */
  *readStream(functionName: string, logStreamName: string): Generator<LogRecord> {
    pendingWriters.forEach((w) => w.flush());
    // The file is named after the stream: read that one, not every stream of the function.
    const file = path.join(this.functionDir(functionName), fileNameOf(logStreamName));
    try {
      if (readEnds(file).header?.logStreamName !== logStreamName) return;
    } catch {
      return;
    }
    const version = /\[(.*?)\]/.exec(logStreamName)?.[1] ?? '$LATEST';
    const logGroup = `/aws/lambda/${functionName}`;
    for (const e of readEvents(file)) yield { ...e, functionName, logStreamName, version, environmentId: '', logGroup };
  }

  /** Written by an environment of this process, or of another Lambda Lab process still running. */
  private isLive(file: string): boolean {
    if (liveFiles.has(file)) return true;
    try {
      const { header, closed } = readEnds(file);
      if (closed || !header?.pid || header.pid === process.pid) return false;
      process.kill(header.pid, 0);
      return true;
    } catch (err) {
      // EPERM: a process we may not signal holds that pid, so it is alive.
      return (err as NodeJS.ErrnoException).code === 'EPERM';
    }
  }
}
