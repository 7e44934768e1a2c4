// Mutual exclusion over one piece of a state folder between every Lambda Lab process using it
// (CLI, serve, extension host, debug adapter), and between async tasks of one process.
//
// A lock is the file `<stateDir>/locks/<key>.lock` holding its owner's `pid-starttime`. It is
// taken with link(2) of a fully written temp file: atomic, and failing with EEXIST when held,
// so no process ever sees a half-written owner. A lock whose owner no longer runs (kill -9
// runs no cleanup) is stale: the next process renames it aside, checks that what it moved is
// the stale owner it judged (and puts it back otherwise), then retries. Within a process, a
// Mutex queues tasks before they reach the file, so the file is only contended across processes.
import { link, mkdir, readdir, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Mutex } from './mutex';
import { isAlive, selfIdentity, tempPathFor } from './processIdentity';

/** How long a task waits for another process's lock before giving up with an error. */
const DEFAULT_WAIT_MS = 60_000;
const FIRST_BACKOFF_MS = 2;
const MAX_BACKOFF_MS = 50;

export class StateLocks {
  private readonly local = new Mutex();

  constructor(
    /** Folder holding the lock files, e.g. `<stateDir>/locks`. */
    readonly dir: string,
    private readonly waitMs = DEFAULT_WAIT_MS,
  ) {}

  /** Runs `work` while holding `key` in this process and in every other one using this folder. */
  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    return this.local.run(key, async () => {
      const release = await this.acquire(key);
      try {
        return await work();
      } finally {
        await release();
      }
    });
  }

  private async acquire(key: string): Promise<() => Promise<void>> {
    await mkdir(this.dir, { recursive: true });
    const path = join(this.dir, `${encodeURIComponent(key)}.lock`);
    const owner = `${selfIdentity()} ${Math.random().toString(36).slice(2)}\n`;
    const deadline = Date.now() + this.waitMs;
    for (let backoff = FIRST_BACKOFF_MS; ; backoff = Math.min(backoff * 2, MAX_BACKOFF_MS)) {
      if (await createWith(path, owner)) {
        return async () => {
          // Only remove the lock if it is still ours (a wrongly broken lock is someone else's now).
          if ((await readFile(path, 'utf8').catch(() => '')) === owner) await unlink(path).catch(() => undefined);
        };
      }
      const holder = await readFile(path, 'utf8').catch(() => undefined);
      if (holder === undefined) continue; // released meanwhile
      if (!isAlive(holder.split(' ')[0])) {
        await breakStale(path, holder);
        continue;
      }
      if (Date.now() > deadline) {
        throw new Error(
          `${path} is held by process ${holder.split(/[- ]/)[0]} for more than ${Math.round(this.waitMs / 1000)} s. ` +
            'If that Lambda Lab process hangs, end it; the lock is released when it exits.',
        );
      }
      await new Promise((ok) => setTimeout(ok, backoff + Math.random() * backoff));
    }
  }
}

/** Removes the locks of processes that ended without releasing them; returns how many. */
export async function removeStaleLocks(dir: string): Promise<number> {
  let removed = 0;
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (!name.endsWith('.lock')) continue;
    const path = join(dir, name);
    const holder = await readFile(path, 'utf8').catch(() => undefined);
    if (holder === undefined || isAlive(holder.split(' ')[0])) continue;
    await breakStale(path, holder);
    removed++;
  }
  return removed;
}

/** Creates `path` holding `content` atomically; false when it exists already. */
async function createWith(path: string, content: string): Promise<boolean> {
  const temp = tempPathFor(path);
  await writeFile(temp, content);
  try {
    await link(temp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    await rm(temp, { force: true });
  }
}

/** Removes a lock whose owner is dead, without removing a live lock that replaced it meanwhile. */
async function breakStale(path: string, staleOwner: string): Promise<void> {
  const aside = tempPathFor(path);
  try {
    await rename(path, aside);
  } catch {
    return; // another process broke it first
  }
  const moved = await readFile(aside, 'utf8').catch(() => staleOwner);
  if (moved !== staleOwner) {
    // Between our read and our rename, another process broke the stale lock and took it: give it back.
    await link(aside, path).catch(() => undefined);
  }
  await rm(aside, { force: true });
}
