// Source maps of the code a function runs: found ahead of time in the function's build output
// (so `.ts` breakpoints bind before the script runs), from the sourceMappingURL the inspector
// reports for a script, or read synchronously from a built file's own sourceMappingURL comment
// (the editor's log and error locations). One parser and one position lookup for all three.
import { promises as fs, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import {
  GREATEST_LOWER_BOUND,
  LEAST_UPPER_BOUND,
  TraceMap,
  generatedPositionFor,
  originalPositionFor,
  type SourceMapInput,
} from '@jridgewell/trace-mapping';
import { scriptUrlToPath } from './scriptPaths';

/**
 * A position as source maps count: `line` from 1, `column` from 0 (trace-mapping's convention).
 * The inspector counts both from 0, DAP and the editor's stack traces both from 1: convert at the edge.
 */
export interface MapPosition {
  path: string;
  line: number;
  column: number;
}

/** How far below a breakpoint's line to look for code when that line has none (blank, comment). */
const LINE_SEARCH_LIMIT = 20;

export class LoadedSourceMap {
  /** Absolute paths of the original sources. */
  readonly sources: string[];

  constructor(
    readonly generatedPath: string,
    private readonly map: TraceMap,
  ) {
    this.sources = map.resolvedSources.map((s) => scriptUrlToPath(s ?? '') ?? path.resolve(s ?? ''));
  }

  hasSource(sourcePath: string): boolean {
    return this.sources.includes(sourcePath);
  }

  /** First generated position of code on a source's line (from 1), or of the next line that has code. */
  toGenerated(sourcePath: string, lineFrom1: number): MapPosition | undefined {
    const index = this.sources.indexOf(sourcePath);
    if (index < 0) return undefined;
    const source = this.map.resolvedSources[index];
    for (let l = lineFrom1; l < lineFrom1 + LINE_SEARCH_LIMIT; l++) {
      const pos = generatedPositionFor(this.map, { source, line: l, column: 0, bias: LEAST_UPPER_BOUND });
      if (pos.line !== null) return { path: this.generatedPath, line: pos.line, column: pos.column };
    }
    return undefined;
  }

  /**
   * Original position of a generated one; undefined where the generated code has no mapping.
   * A column before the line's first mapping takes that first mapping.
   */
  toOriginal(lineFrom1: number, columnFrom0: number): MapPosition | undefined {
    const generated = { line: lineFrom1, column: columnFrom0 };
    let pos = originalPositionFor(this.map, { ...generated, bias: GREATEST_LOWER_BOUND });
    if (pos.source === null) pos = originalPositionFor(this.map, { ...generated, bias: LEAST_UPPER_BOUND });
    if (pos.source === null || pos.line === null) return undefined;
    const index = this.map.resolvedSources.indexOf(pos.source);
    return { path: index >= 0 ? this.sources[index] : pos.source, line: pos.line, column: pos.column ?? 0 };
  }
}

interface CacheEntry {
  mtimeMs: number;
  map: LoadedSourceMap;
}

const SKIPPED_DIRS = new Set(['node_modules', '.git', '.lambda-lab', '.aws-sam']);

/** Loads and caches maps by file and modification time, so rebuilt code is re-read. */
export class SourceMapCache {
  private readonly byMapPath = new Map<string, CacheEntry>();
  private readonly byGeneratedPath = new Map<string, LoadedSourceMap>();

  /** The maps of every `*.map` file under `dir` (excluding node_modules). */
  async scan(dir: string): Promise<LoadedSourceMap[]> {
    const found: LoadedSourceMap[] = [];
    const walk = async (d: string, depth: number): Promise<void> => {
      const entries = await fs.readdir(d, { withFileTypes: true }).catch(() => []);
      await Promise.all(
        entries.map(async (e) => {
          const full = path.join(d, e.name);
          if (e.isDirectory() && !SKIPPED_DIRS.has(e.name) && depth < 8) await walk(full, depth + 1);
          else if (e.isFile() && /\.[cm]?js\.map$/.test(e.name)) {
            const map = await this.loadFile(full, full.slice(0, -'.map'.length));
            if (map) found.push(map);
          }
        }),
      );
    };
    await walk(dir, 0);
    return found;
  }

  /** The map a script names with sourceMappingURL (a file relative to the script, or a data: URL). */
  async forScript(scriptUrl: string, sourceMapUrl: string): Promise<LoadedSourceMap | undefined> {
    const scriptPath = scriptUrlToPath(scriptUrl);
    if (!scriptPath) return undefined;
    if (sourceMapUrl.startsWith('data:')) {
      const known = this.byGeneratedPath.get(scriptPath);
      if (known) return known;
      return this.remember(parseSourceMap(decodeDataUrl(sourceMapUrl), scriptPath, scriptPath));
    }
    return this.loadFile(mapFilePath(scriptPath, sourceMapUrl), scriptPath);
  }

  /** A map already loaded for a generated file, if any. */
  forGenerated(generatedPath: string): LoadedSourceMap | undefined {
    return this.byGeneratedPath.get(generatedPath);
  }

  private async loadFile(mapPath: string, generatedPath: string): Promise<LoadedSourceMap | undefined> {
    const stat = await fs.stat(mapPath).catch(() => undefined);
    if (!stat) return undefined;
    const cached = this.byMapPath.get(mapPath);
    if (cached && cached.mtimeMs === stat.mtimeMs) return cached.map;
    const text = await fs.readFile(mapPath, 'utf8').catch(() => undefined);
    if (text === undefined) return undefined;
    const map = this.remember(parseSourceMap(text, mapPath, generatedPath));
    if (map) this.byMapPath.set(mapPath, { mtimeMs: stat.mtimeMs, map });
    return map;
  }

  private remember(map: LoadedSourceMap | undefined): LoadedSourceMap | undefined {
    if (map) this.byGeneratedPath.set(map.generatedPath, map);
    return map;
  }
}

/** A malformed map gives undefined: the code is then shown as the JavaScript it is. */
function parseSourceMap(text: string, mapLocation: string, generatedPath: string): LoadedSourceMap | undefined {
  try {
    return new LoadedSourceMap(generatedPath, new TraceMap(JSON.parse(text) as SourceMapInput, mapLocation));
  } catch {
    return undefined;
  }
}

/** The map text of a `data:application/json[;base64],...` URL. */
function decodeDataUrl(url: string): string {
  const comma = url.indexOf(',');
  const data = url.slice(comma + 1);
  return url.slice(0, comma).endsWith(';base64') ? Buffer.from(data, 'base64').toString('utf8') : decodeURIComponent(data);
}

/** The map file a sourceMappingURL names: a file URL, or a URL relative to the generated file. */
function mapFilePath(generatedPath: string, sourceMapUrl: string): string {
  let relative = sourceMapUrl;
  try {
    relative = decodeURIComponent(sourceMapUrl);
  } catch {
    // a stray `%` is part of the file name
  }
  return scriptUrlToPath(sourceMapUrl) ?? path.resolve(path.dirname(generatedPath), relative);
}

const MAPPING_URL = /\/\/[#@]\s*sourceMappingURL=(\S+)\s*$/;
/** The sourceMappingURL comment is the file's last line; reading its end is enough. */
const MAPPING_URL_TAIL = 4096;
const byFile = new Map<string, { mtimeMs: number; map: LoadedSourceMap | undefined }>();

/**
 * The map a built `.js` file names in its sourceMappingURL comment, read synchronously and cached
 * by the file's modification time; undefined for files without a (readable) map.
 */
export function sourceMapOfFile(generatedPath: string): LoadedSourceMap | undefined {
  if (!/\.[cm]?js$/.test(generatedPath)) return undefined;
  let mtimeMs: number;
  try {
    mtimeMs = statSync(generatedPath).mtimeMs;
  } catch {
    return undefined;
  }
  const hit = byFile.get(generatedPath);
  if (hit && hit.mtimeMs === mtimeMs) return hit.map;
  const map = readMapOfFile(generatedPath);
  byFile.set(generatedPath, { mtimeMs, map });
  return map;
}

function readMapOfFile(generatedPath: string): LoadedSourceMap | undefined {
  try {
    const url = MAPPING_URL.exec(readFileSync(generatedPath, 'utf8').slice(-MAPPING_URL_TAIL))?.[1];
    // An external map (local esbuild builds without Sourcemap) sits beside its file, unnamed.
    if (!url) return parseSourceMap(readFileSync(`${generatedPath}.map`, 'utf8'), `${generatedPath}.map`, generatedPath);
    if (url.startsWith('data:')) return parseSourceMap(decodeDataUrl(url), generatedPath, generatedPath);
    const mapPath = mapFilePath(generatedPath, url);
    return parseSourceMap(readFileSync(mapPath, 'utf8'), mapPath, generatedPath);
  } catch {
    return undefined; // an unreadable map is as good as none: the generated location is shown
  }
}
