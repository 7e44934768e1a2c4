// Which lockfile pins a function's dependencies: a build input, and watched for hot reload. Kept
// apart from the builder so watching does not load esbuild.
import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

const LOCKFILES = ['package-lock.json', 'npm-shrinkwrap.json', 'yarn.lock', 'pnpm-lock.yaml'];

/** The lockfile npm, yarn or pnpm resolves the sources' dependencies with: the nearest at or above them. */
export function nearestLockfile(sourceDir: string): string | undefined {
  for (let dir = sourceDir; ; dir = dirname(dir)) {
    for (const name of LOCKFILES) if (statSync(resolve(dir, name), { throwIfNoEntry: false })?.isFile()) return resolve(dir, name);
    if (dirname(dir) === dir) return undefined;
  }
}
