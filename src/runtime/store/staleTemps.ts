// Leftovers of Lambda Lab processes killed mid-write: temp files and half-extracted folders
// named by tempPathFor. Only those of processes that no longer run are removed, so a sweep
// never pulls a temp from under a live process's write.
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isAlive, tempOwner } from './processIdentity';

/** Removes dead processes' temps directly inside each folder; returns how many it removed. */
export async function sweepStaleTemps(dirs: string[]): Promise<number> {
  let removed = 0;
  for (const dir of dirs) {
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      const owner = tempOwner(name);
      if (owner === undefined || isAlive(owner)) continue;
      await rm(join(dir, name), { recursive: true, force: true });
      removed++;
    }
  }
  return removed;
}
