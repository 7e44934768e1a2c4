// Hot reload of $LATEST: watches each function's code folder, rebuilds esbuild functions
// incrementally when their sources change, then has the function's environments replaced, so
// the next invoke runs the new code while warm invokes of the old one are answered until then.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { EsbuildBuilder } from './build/esbuildBuilder';
import { nearestLockfile } from './build/nearestLockfile';
import { watchCode, watchFile, type CodeWatcher } from './codeWatcher';
import type { FunctionConfig } from './functionConfig';
import type { RuntimeEvents } from './runtimeEvents';

/**
 * How long file events may keep coming for one save before it counts as done: an editor's
 * truncate-then-write lands within a millisecond or two; a checkout's many files within a few.
 */
const SAVE_SETTLE_MS = 10;

/** Python writes __pycache__ into the code folder as it imports it: not a code change. */
const IGNORED = /(^|[\\/])(\.lambda-lab|\.git|node_modules[\\/]\.cache|__pycache__)([\\/]|$)/;

export interface CodeReloaderHost {
  /** The function's current configuration (undefined once it left its template). */
  getFunction(name: string): FunctionConfig | undefined;
  diagnostic(event: RuntimeEvents['diagnostic'][0]): void;
  /** Retires the function's $LATEST environments and starts a replacement. */
  replaceLatest(fn: FunctionConfig): Promise<void>;
}

export class CodeReloader {
  private readonly watchers = new Map<string, CodeWatcher>();
  /** Made on the first build: esbuild's library costs a few MB that a runtime without TypeScript functions never needs. */
  private esbuild: EsbuildBuilder | undefined;
  /** Builds in flight or done per function, reset when its sources change. */
  private readonly builds = new Map<string, Promise<void>>();
  private disposed = false;

  constructor(
    private readonly host: CodeReloaderHost,
    private readonly enabled: boolean,
  ) {}

  /** Builds an esbuild function's $LATEST code (once until its sources change); no-op for others. */
  ensureBuilt(fn: FunctionConfig): Promise<void> {
    if (!fn.build) return Promise.resolve();
    const existing = this.builds.get(fn.functionName);
    if (existing) return existing;
    const started = Date.now();
    const build = this.builder()
      .build(fn)
      .then(
        () => {
          const names = fn.build?.minify
            ? ' (unminified: Minify applies to deployed builds; locally the code stays readable for debugging)'
            : '';
          this.host.diagnostic({ level: 'info', message: `${fn.logicalId}: built with esbuild in ${Date.now() - started} ms${names}` });
        },
        (err: Error) => {
          this.builds.delete(fn.functionName);
          throw err;
        },
      );
    this.builds.set(fn.functionName, build);
    return build;
  }

  /** The function's build properties changed: the next invoke builds again. */
  invalidate(functionName: string): void {
    this.builds.delete(functionName);
  }

  /** Starts watching the function's code folder (once per function and folder). */
  watch(fn: FunctionConfig): void {
    if (!this.enabled) return;
    const dir = fn.build?.sourceDir ?? fn.codeDir;
    const key = `${fn.functionName}\0${dir}`;
    if (this.watchers.has(key) || !fs.existsSync(dir)) return;
    let timer: NodeJS.Timeout | undefined;
    try {
      const changed = () => {
        clearTimeout(timer);
        timer = setTimeout(() => void this.changed(fn.functionName), SAVE_SETTLE_MS);
      };
      this.watchers.set(
        key,
        watchCode(dir, (file) => IGNORED.test(file), changed),
      );
      // A build's inputs include the lockfile, often the workspace's, above the sources.
      const lockfile = fn.build && nearestLockfile(fn.build.sourceDir);
      if (lockfile && path.relative(dir, lockfile).startsWith('..')) this.watchers.set(`${key}\0${lockfile}`, watchFile(lockfile, changed));
    } catch (err) {
      this.host.diagnostic({ level: 'warning', message: `${fn.logicalId}: cannot watch ${dir} for changes: ${(err as Error).message}` });
    }
  }

  private async changed(functionName: string) {
    const fn = this.host.getFunction(functionName);
    if (!fn || this.disposed) return;
    this.builds.delete(fn.functionName);
    if (fn.build) {
      try {
        await this.ensureBuilt(fn);
      } catch (err) {
        this.host.diagnostic({ level: 'error', message: (err as Error).message });
      }
    }
    await this.host.replaceLatest(fn);
  }

  /** A function left its template: its watcher and its build context go. */
  async forget(fn: FunctionConfig): Promise<void> {
    for (const [key, watcher] of this.watchers) {
      if (key.startsWith(`${fn.functionName}\0`)) {
        watcher.close();
        this.watchers.delete(key);
      }
    }
    this.builds.delete(fn.functionName);
    await this.esbuild?.forget(fn.logicalId);
  }

  /** Stops watching; builds in flight finish, nothing starts after. */
  close(): void {
    this.disposed = true;
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
  }

  async dispose(): Promise<void> {
    this.close();
    await this.esbuild?.dispose();
  }

  private builder(): EsbuildBuilder {
    const { EsbuildBuilder } = require('./build/esbuildBuilder') as typeof import('./build/esbuildBuilder');
    return (this.esbuild ??= new EsbuildBuilder());
  }
}
