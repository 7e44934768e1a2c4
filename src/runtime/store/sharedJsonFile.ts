// A JSON state file several processes read and rewrite (always whole, by atomic rename). The
// parsed value is cached with the file's identity (inode, size, mtime): an atomic rewrite by any
// process gives a new inode, so one stat tells whether the cache still holds.
import { stat } from 'node:fs/promises';
import { readJsonIfExists } from './atomicFile';

interface Cached<T> {
  stamp: string;
  value: T | undefined;
}

export class SharedJsonFiles<T> {
  private readonly cache = new Map<string, Cached<T>>();

  /** The file's current content (undefined when absent), and whether it differs from what this process saw last. */
  async read(path: string): Promise<{ value: T | undefined; changed: boolean }> {
    const info = await stat(path).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
    const stamp = info ? `${info.ino}:${info.size}:${info.mtimeMs}:${info.ctimeMs}` : 'absent';
    const cached = this.cache.get(path);
    if (cached && cached.stamp === stamp) return { value: cached.value, changed: false };
    const value = info ? await readJsonIfExists<T>(path) : undefined;
    this.cache.set(path, { stamp, value });
    return { value, changed: cached !== undefined };
  }

  /** Forgets the cached content, so the next read goes to the file (under a lock: always). */
  invalidate(path: string): void {
    this.cache.delete(path);
  }
}
