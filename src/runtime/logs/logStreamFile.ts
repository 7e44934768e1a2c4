// The on-disk shape of one log stream, `<stream>.jsonl`: a header line naming the stream and
// who writes it, one log event per line, and a closing line once its environment stopped. A
// stream may be far larger than memory (or than a JavaScript string can be): everything here
// reads bounded chunks, the ends of a file, or one chunk at a time.
import * as fs from 'node:fs';
import type { LogRecord } from '../runtimeEvents';

/** What is persisted of a LogRecord (the stream identity is the file). */
export type StoredEvent = Pick<LogRecord, 'timestamp' | 'message' | 'kind' | 'requestId' | 'level' | 'source'>;

export interface StreamHeader {
  logStreamName: string;
  functionName: string;
  /** ms since epoch, fractional: orders streams opened within one millisecond. */
  createdAt?: number;
  /** The process writing it, while its environment lives. */
  pid?: number;
}

/** The last line of a stream whose environment stopped. */
export const CLOSED_LINE = '{"closed":true}';

/** Bytes read from either end of a file for its header, first or last event. */
const END_BYTES = 64 * 1024;
/** Bytes read at a time when a whole stream is read. */
const CHUNK_BYTES = 1024 * 1024;

function readAt(fd: number, position: number, length: number): Buffer {
  const buf = Buffer.alloc(length);
  const n = fs.readSync(fd, buf, 0, length, position);
  return buf.subarray(0, n);
}

function parse(line: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(line);
    return value && typeof value === 'object' ? value : undefined;
  } catch {
    return undefined; // a torn last line from a killed writer
  }
}

const isEvent = (v: Record<string, unknown> | undefined): v is StoredEvent & Record<string, unknown> =>
  !!v && typeof v.message === 'string' && typeof v.timestamp === 'number';

/** The ends of a stream file: header, first and last event, whether it was closed. Reads at most 128 KB. */
export interface StreamEnds {
  header?: StreamHeader;
  firstEventTimestamp?: number;
  lastEventTimestamp?: number;
  closed: boolean;
}

export function readEnds(file: string): StreamEnds {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const head = readAt(fd, 0, Math.min(size, END_BYTES)).toString('utf8').split('\n');
    const first = parse(head[0]);
    const header = first && typeof first.logStreamName === 'string' ? (first as unknown as StreamHeader) : undefined;
    // Lines the chunk holds whole: all but the last, unless the chunk is the whole file.
    const whole = (lines: string[], complete: boolean) => (complete ? lines : lines.slice(0, -1));
    const firstEvent = whole(head, size <= END_BYTES)
      .slice(1)
      .map(parse)
      .find(isEvent);
    const tailStart = Math.max(0, size - END_BYTES);
    const tail = readAt(fd, tailStart, size - tailStart)
      .toString('utf8')
      .split('\n');
    // The tail's first line may be cut at its start (unless the chunk starts the file).
    const tailLines = (tailStart === 0 ? tail : tail.slice(1)).filter(Boolean);
    const closed = tailLines.at(-1) === CLOSED_LINE;
    const lastEvent = tailLines.map(parse).reverse().find(isEvent);
    return { header, firstEventTimestamp: firstEvent?.timestamp, lastEventTimestamp: lastEvent?.timestamp, closed };
  } finally {
    fs.closeSync(fd);
  }
}

/** Every event of a stream file, in order, read one chunk at a time. */
export function* readEvents(file: string): Generator<StoredEvent> {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return;
  }
  try {
    let rest: Buffer = Buffer.alloc(0);
    let position = 0;
    let headerSeen = false;
    for (;;) {
      const chunk = readAt(fd, position, CHUNK_BYTES);
      position += chunk.length;
      const data = rest.length ? Buffer.concat([rest, chunk]) : chunk;
      let start = 0;
      for (let nl = data.indexOf(10, start); nl >= 0; nl = data.indexOf(10, start)) {
        const line = data.toString('utf8', start, nl);
        start = nl + 1;
        if (!headerSeen) {
          headerSeen = true;
          continue;
        }
        const value = parse(line);
        if (isEvent(value)) yield value;
      }
      rest = data.subarray(start);
      if (chunk.length === 0) break;
    }
    // A last line without its newline is torn (its writer was killed mid-write): skipped.
  } finally {
    fs.closeSync(fd);
  }
}
