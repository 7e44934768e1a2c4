// The asynchronous event queue on disk: one JSON file per accepted event, rewritten after
// each attempt and removed once the event is done, so a Lambda Lab restart finds every
// event that was still waiting. Events that cannot be read back are moved aside with the
// reason, never silently deleted. Several processes may serve one folder (the editor, a
// `serve`, a Lambda API server): each event is run by the one queue holding its claim file.
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeJsonAtomic } from '../store/atomicFile';
import { isAlive, selfIdentity } from '../store/processIdentity';
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

/** Stores of this process whose claims still hold (a closed one's claims may be taken over). */
const liveOwners = new Set<string>();

interface Claim {
  /** `pid-starttime` of the holder process (store/processIdentity.ts): a reused pid is not taken for it. */
  holder?: string;
  /** The holder's pid, all that claims written before `holder` have (and all that those versions read). */
  pid?: number;
  owner: string;
}

export class QueuedEventStore {
  private readonly owner = randomUUID();
  /** `<state dir>/async/claims`: one file per event that a queue runs, naming that queue. */
  private readonly claimsDir: string;

  constructor(
    /** `<state dir>/async/queue`. */
    readonly dir: string,
    /** `<state dir>/async/dropped`. */
    readonly droppedDir: string,
  ) {
    this.claimsDir = join(dir, '..', 'claims');
    liveOwners.add(this.owner);
  }

  /**
   * Makes this store the one that runs a queued event; resolves with the event as it is on
   * disk now, or undefined when another live queue holds it or it is already done.
   */
  async claim(requestId: string): Promise<QueuedEvent | undefined> {
    if (!(await this.take(requestId))) return undefined;
    // Listed before another queue finished it and let go of its claim: done, not to run again.
    const event = await readFile(this.fileOf(requestId), 'utf8').then(
      (t) => parse(JSON.parse(t) as QueuedEventFile),
      () => undefined,
    );
    if (!event) await this.release(requestId);
    return event;
  }

  /** Claims an event about to be saved; false if its request id is already claimed. */
  claimNew(requestId: string): Promise<boolean> {
    return this.take(requestId);
  }

  /**
   * A claim whose process is gone (or whose store in this process closed) is taken over:
   * renaming the stale claim away succeeds for one taker only.
   */
  private async take(requestId: string): Promise<boolean> {
    const file = this.claimFileOf(requestId);
    await mkdir(this.claimsDir, { recursive: true });
    for (let tries = 0; tries < 2; tries++) {
      try {
        await writeFile(file, JSON.stringify({ pid: process.pid, holder: selfIdentity(), owner: this.owner } satisfies Claim), {
          flag: 'wx',
        });
        return true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const holder = await readFile(file, 'utf8').then(
        (t) => JSON.parse(t) as Claim,
        () => undefined,
      );
      // Unreadable: its taker is writing it this instant.
      if (!holder || holderAlive(holder)) return false;
      const stale = `${file}.${this.owner}.stale`;
      if (
        !(await rename(file, stale).then(
          () => true,
          () => false,
        ))
      )
        return false;
      await rm(stale, { force: true });
    }
    return false;
  }

  /** Lets another queue take the event (this one is done with it or stopped). */
  async release(requestId: string): Promise<void> {
    await rm(this.claimFileOf(requestId), { force: true });
  }

  /** This store's remaining claims may be taken over by another store of this process. */
  close(): void {
    liveOwners.delete(this.owner);
  }

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
        // Another queue starting on this folder may have moved it first.
        if (
          await rename(path, moved).then(
            () => true,
            () => false,
          )
        )
          unreadable.push({ file: moved, reason: (err as Error).message });
      }
    }
    return { events: events.sort((a, b) => a.enqueuedAt - b.enqueuedAt), unreadable };
  }

  private claimFileOf(requestId: string): string {
    return join(this.claimsDir, `${requestId.replace(/[^\w-]/g, '_')}.json`);
  }

  private fileOf(requestId: string): string {
    return join(this.dir, `${requestId.replace(/[^\w-]/g, '_')}.json`);
  }
}

function holderAlive({ holder, pid, owner }: Claim): boolean {
  if (holder !== undefined) return holder === selfIdentity() ? liveOwners.has(owner) : isAlive(holder);
  if (pid === undefined) return false;
  if (pid === process.pid) return liveOwners.has(owner);
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
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
