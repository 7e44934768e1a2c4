// Source maps of the code a function runs: found ahead of time in the function's build output
// (so `.ts` breakpoints bind before the script runs) or from a script's sourceMappingURL.
import { promises as fs } from 'node:fs';
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

/** A position in a file: 1-based line, 0-based column (trace-mapping's convention). */
export interface FilePosition {
  path: string;
  line: number;
  column: number;
}

/** How far below a breakpoint's line to look for code when that line has none (blank, comment). */
const LINE_SEARCH_LIMIT = 20;

export class LoadedSourceMap {
  /** Absolute paths of the original sources. */
  readonly sources: string[];

  constructor(readonly generatedPath: string, private readonly map: TraceMap) {
    this.sources = map.resolvedSources.map((s) => scriptUrlToPath(s ?? '') ?? path.resolve(s ?? ''));
  }

  hasSource(sourcePath: string): boolean {
    return this.sources.includes(sourcePath);
  }

  /** First generated position of code on `line` of a source, or of the next line that has code. */
  toGenerated(sourcePath: string, line: number): FilePosition | undefined {
    const index = this.sources.indexOf(sourcePath);
    if (index < 0) return undefined;
    const source = this.map.resolvedSources[index];
    for (let l = line; l < line + LINE_SEARCH_LIMIT; l++) {
      const pos = generatedPositionFor(this.map, { source, line: l, column: 0, bias: LEAST_UPPER_BOUND });
      if (pos.line !== null) return { path: this.generatedPath, line: pos.line, column: pos.column };
    }
    return undefined;
  }

  /** Original position of a generated one; undefined where the generated code has no mapping. */
  toOriginal(line: number, column: number): FilePosition | undefined {
    let pos = originalPositionFor(this.map, { line, column, bias: GREATEST_LOWER_BOUND });
    if (pos.source === null) pos = originalPositionFor(this.map, { line, column, bias: LEAST_UPPER_BOUND });
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
      const comma = sourceMapUrl.indexOf(',');
      const meta = sourceMapUrl.slice(0, comma);
      const data = sourceMapUrl.slice(comma + 1);
      const text = meta.endsWith(';base64') ? Buffer.from(data, 'base64').toString('utf8') : decodeURIComponent(data);
      return this.parse(text, scriptPath, scriptPath);
    }
    const mapPath = scriptUrlToPath(sourceMapUrl) ?? path.resolve(path.dirname(scriptPath), sourceMapUrl);
    return this.loadFile(mapPath, scriptPath);
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
    const map = this.parse(text, mapPath, generatedPath);
    if (map) this.byMapPath.set(mapPath, { mtimeMs: stat.mtimeMs, map });
    return map;
  }

  private parse(text: string, mapLocation: string, generatedPath: string): LoadedSourceMap | undefined {
    try {
      const map = new LoadedSourceMap(generatedPath, new TraceMap(JSON.parse(text) as SourceMapInput, mapLocation));
      this.byGeneratedPath.set(generatedPath, map);
      return map;
    } catch {
      return undefined; // A malformed map: the script is debugged as plain JavaScript.
    }
  }
}
