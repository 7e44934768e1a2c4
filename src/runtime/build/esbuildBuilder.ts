// Builds TypeScript/JavaScript functions that declare SAM's `BuildMethod: esbuild` into their
// codeDir, the way `sam build` does (bundle for node, entry basenames kept, OutExtension).
// One esbuild context per function is kept alive, so a code change costs an incremental rebuild.
// Source maps get absolute `sources`, so they still point at the .ts files when the output
// is copied elsewhere (published versions) and debuggers bind breakpoints in the sources.
import { context, type BuildContext, type BuildOptions, type Message, type OutputFile } from 'esbuild';
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { EsbuildBuildConfig, FunctionConfig } from '../functionConfig';
import { tempPathFor } from '../store/processIdentity';
import { BuildError, formatProblem, type BuildProblem } from './buildError';
import { nearestLockfile } from './nearestLockfile';

export interface BuildResult {
  logicalId: string;
  /** Absolute paths of the files written (or kept unchanged) in codeDir. */
  outputFiles: string[];
  /** Absolute paths of every file the build read (esbuild's metafile inputs): watch these for code changes. */
  inputs: string[];
  durationMs: number;
  /** esbuild warnings, formatted `file:line:col: text`. */
  warnings: string[];
  /** False for the first build of a context, true for incremental rebuilds. */
  incremental: boolean;
}

interface FunctionBuild {
  key: string;
  context: BuildContext<{ metafile: true; write: false }>;
  outputs: Set<string>;
  built: boolean;
}

export class EsbuildBuilder {
  private readonly builds = new Map<string, FunctionBuild>();
  /** Builds of one function run one after the other (a context can't rebuild twice at once). */
  private readonly queues = new Map<string, Promise<unknown>>();

  /** Builds (or incrementally rebuilds) fn.build into fn.codeDir. Throws BuildError on compile errors. */
  build(fn: FunctionConfig): Promise<BuildResult> {
    const build = fn.build;
    if (!build) return Promise.reject(new Error(`${fn.functionName} has no esbuild build configuration`));
    return this.enqueue(fn.logicalId, async () => this.run(fn, build, await this.stateFor(fn, build)));
  }

  /** Drops the context of one function (e.g. it left the template). */
  forget(logicalId: string): Promise<void> {
    return this.enqueue(logicalId, () => this.disposeContext(logicalId));
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.queues.values()]);
    await Promise.all([...this.builds.keys()].map((id) => this.disposeContext(id)));
  }

  private enqueue<T>(logicalId: string, task: () => Promise<T>): Promise<T> {
    const next = (this.queues.get(logicalId) ?? Promise.resolve()).then(task);
    this.queues.set(
      logicalId,
      next.catch(() => undefined),
    );
    return next;
  }

  private async disposeContext(logicalId: string): Promise<void> {
    const state = this.builds.get(logicalId);
    this.builds.delete(logicalId);
    await state?.context.dispose();
  }

  private async stateFor(fn: FunctionConfig, build: EsbuildBuildConfig): Promise<FunctionBuild> {
    const key = JSON.stringify({ build, codeDir: fn.codeDir, lockfile: lockfileStamp(build.sourceDir) });
    const existing = this.builds.get(fn.logicalId);
    if (existing?.key === key) return existing;
    if (existing) await this.disposeContext(fn.logicalId);
    const ctx = await context({ ...esbuildOptions(fn.codeDir, build), metafile: true, write: false });
    const state: FunctionBuild = { key, context: ctx, outputs: new Set(), built: false };
    this.builds.set(fn.logicalId, state);
    return state;
  }

  private async run(fn: FunctionConfig, build: EsbuildBuildConfig, state: FunctionBuild): Promise<BuildResult> {
    const started = performance.now();
    let result;
    try {
      result = await state.context.rebuild();
    } catch (e) {
      const errors = (e as { errors?: Message[] }).errors;
      throw new BuildError(
        fn.logicalId,
        fn.functionName,
        errors?.length ? errors.map((m) => problemOf(m, build.sourceDir)) : [{ text: (e as Error).message }],
      );
    }
    const incremental = state.built;
    if (!state.built) {
      // A fresh context starts from an empty folder, so no file of an older configuration lingers.
      rmSync(fn.codeDir, { recursive: true, force: true });
      state.built = true;
    }
    const written = new Set<string>();
    for (const file of result.outputFiles ?? []) {
      writeIfChanged(file.path, contentsOf(file));
      written.add(file.path);
    }
    for (const stale of state.outputs) if (!written.has(stale)) unlinkSync(stale);
    state.outputs = written;
    const inputs = Object.keys(result.metafile?.inputs ?? {})
      .filter((p) => !/^[a-z-]+:/i.test(p) && !p.startsWith('<'))
      .map((p) => resolve(build.sourceDir, p));
    return {
      logicalId: fn.logicalId,
      outputFiles: [...written],
      inputs,
      durationMs: performance.now() - started,
      warnings: result.warnings.map((m) => formatProblem(problemOf(m, build.sourceDir))),
      incremental,
    };
  }
}

/** The esbuild options `sam build` derives from BuildProperties. */
export function esbuildOptions(outdir: string, build: EsbuildBuildConfig): BuildOptions {
  return {
    absWorkingDir: build.sourceDir,
    entryPoints: build.entryPoints.map((e) => (isAbsolute(e) ? e : resolve(build.sourceDir, e))),
    outdir,
    bundle: true,
    platform: 'node',
    format: build.format ?? 'cjs',
    ...(build.target ? { target: build.target.split(',').map((t) => t.trim()) } : {}),
    // Local builds are for running and debugging: never minified (minified syntax folds locals
    // away from the Variables view), and a map is always written for the debugger, external
    // unless the template asks for one (then linked, which Node reads with --enable-source-maps).
    minify: false,
    sourcemap: build.sourcemap ? 'linked' : 'external',
    external: build.external ?? [],
    ...(build.outExtension ? { outExtension: { '.js': build.outExtension } } : {}),
    ...(build.mainFields ? { mainFields: build.mainFields } : {}),
    ...(build.loader ? { loader: build.loader as BuildOptions['loader'] } : {}),
    ...(build.banner !== undefined ? { banner: { js: build.banner } } : {}),
    ...(build.footer !== undefined ? { footer: { js: build.footer } } : {}),
    ...(build.sourcesContent !== undefined ? { sourcesContent: build.sourcesContent } : {}),
    logLevel: 'silent',
  };
}

/** The lockfile by path and mtime: a dependency change is a new build. */
function lockfileStamp(sourceDir: string): string | undefined {
  const lockfile = nearestLockfile(sourceDir);
  return lockfile && `${lockfile}@${statSync(lockfile, { throwIfNoEntry: false })?.mtimeMs}`;
}

/** Source maps: make `sources` absolute (esbuild writes them relative to the map). */
function contentsOf(file: OutputFile): Uint8Array | string {
  if (!file.path.endsWith('.map')) return file.contents;
  const map = JSON.parse(file.text) as { sources: string[]; sourceRoot?: string };
  const dir = dirname(file.path);
  map.sources = map.sources.map((s) => (isAbsolute(s) || /^[a-z-]+:/i.test(s) ? s : resolve(dir, map.sourceRoot ?? '', s)));
  delete map.sourceRoot;
  return JSON.stringify(map);
}

/** Unchanged outputs keep their mtime, so watchers and caches downstream see no change. */
function writeIfChanged(path: string, contents: Uint8Array | string): void {
  const bytes =
    typeof contents === 'string' ? Buffer.from(contents) : Buffer.from(contents.buffer, contents.byteOffset, contents.byteLength);
  try {
    if (readFileSync(path).equals(bytes)) return;
  } catch {
    mkdirSync(dirname(path), { recursive: true });
  }
  // Renamed into place: an environment starting during a rebuild loads the old file or the new one, never half of one.
  const temp = tempPathFor(path);
  writeFileSync(temp, bytes);
  renameSync(temp, path);
}

function problemOf(message: Message, sourceDir: string): BuildProblem {
  const loc = message.location;
  if (!loc) return { text: message.text };
  return { file: resolve(sourceDir, loc.file), line: loc.line, column: loc.column + 1, text: message.text };
}
