// The asynchronous event queue on disk: one JSON file per accepted event, rewritten after
// each attempt and removed once the event is done, so a Lambda Lab restart finds every
// event that was still waiting. Events that cannot be read back are moved aside with the
// reason, never silently deleted.
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeJsonAtomic } from '../store/atomicFile';
import type { LastResponse } from './invocationRecord';

export interface QueuedEvent {
  requestId: string;
  functionName: string;
  qualifier?: string;
  payload: Buffer;
  /** ms since epoch when Lambda accepted the event (the event's age counts from here). */
  enqueuedAt: number;
  /** Times the function actually ran it (approximateInvokeCount). */
  invokeCount: number;
  /** Throttles and service errors so far (they set the back-off, not the retry count). */
  throttles: number;
  /** ms since epoch before which the next attempt must not start. */
  notBefore: number;
  last?: LastResponse;
}

interface QueuedEventFile extends Omit<QueuedEvent, 'payload' | 'last'> {
  payload: string;
  last?: Omit<LastResponse, 'payload'> & { payload: string };
}

export interface UnreadableEvent {
  file: string;
  reason: string;
}

export class QueuedEventStore {
  constructor(
    /** `<state dir>/async/queue`. */
    readonly dir: string,
    /** `<state dir>/async/dropped`. */
    readonly droppedDir: string,
  ) {}

  async save(event: QueuedEvent): Promise<void> {
    const file: QueuedEventFile = {
      ...event,
      payload: event.payload.toString('base64'),
      last: event.last && { ...event.last, payload: event.last.payload.toString('base64') },
    };
    if (!file.last) delete file.last;
    await writeJsonAtomic(this.fileOf(event.requestId), file);
  }

  async remove(requestId: string): Promise<void> {
    await rm(this.fileOf(requestId), { force: true });
  }

  /** Keeps an event that will not run, with why, in the dropped folder; returns that file. */
  async drop(event: QueuedEvent, reason: string): Promise<string> {
    const file = join(this.droppedDir, `${event.requestId}.json`);
    await writeJsonAtomic(file, {
      reason,
      droppedAt: new Date().toISOString(),
      functionName: event.functionName,
      qualifier: event.qualifier,
      requestId: event.requestId,
      payload: event.payload.toString('utf8'),
    });
    await this.remove(event.requestId);
    return file;
  }

  /** Every event on disk, oldest first; files that can't be read are moved to the dropped folder. */
  async load(): Promise<{ events: QueuedEvent[]; unreadable: UnreadableEvent[] }> {
    let names: string[];
    try {
      names = (await readdir(this.dir)).filter((n) => n.endsWith('.json'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { events: [], unreadable: [] };
      throw err;
    }
    const events: QueuedEvent[] = [];
    const unreadable: UnreadableEvent[] = [];
    for (const name of names) {
      const path = join(this.dir, name);
      try {
        events.push(parse(JSON.parse(await readFile(path, 'utf8')) as QueuedEventFile));
      } catch (err) {
        await mkdir(this.droppedDir, { recursive: true });
        const moved = join(this.droppedDir, name);
        await rename(path, moved);
        unreadable.push({ file: moved, reason: (err as Error).message });
      }
    }
    return { events: events.sort((a, b) => a.enqueuedAt - b.enqueuedAt), unreadable };
  }

  private fileOf(requestId: string): string {
    return join(this.dir, `${requestId.replace(/[^\w-]/g, '_')}.json`);
  }
}

function parse(file: QueuedEventFile): QueuedEvent {
  if (typeof file.requestId !== 'string' || typeof file.functionName !== 'string' || typeof file.payload !== 'string') {
    throw new Error('not a queued event (requestId, functionName and payload are required)');
  }
  const number = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  const event: QueuedEvent = {
    requestId: file.requestId,
    functionName: file.functionName,
    payload: Buffer.from(file.payload, 'base64'),
    enqueuedAt: number(file.enqueuedAt) || Date.now(),
    invokeCount: number(file.invokeCount),
    throttles: number(file.throttles),
    notBefore: number(file.notBefore),
  };
  if (typeof file.qualifier === 'string') event.qualifier = file.qualifier;
  if (file.last && typeof file.last.executedVersion === 'string') {
    event.last = { ...file.last, payload: Buffer.from(String(file.last.payload ?? ''), 'base64') };
  }
  return event;
}
