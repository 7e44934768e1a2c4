// Maps a location in built JavaScript (esbuild output with a source map) back to the
// user's source, so inline logs, links and errors land in the .ts file they came from.
import { existsSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { originalPositionFor, TraceMap } from '@jridgewell/trace-mapping';

export interface SourceLocation {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

const MAPPING_URL = /\/\/[#@]\s*sourceMappingURL=(\S+)\s*$/;
const cache = new Map<string, { mtimeMs: number; map: TraceMap | undefined }>();

/** The original location for a generated one, or the location itself when there is no map. */
export function toSource(location: SourceLocation): SourceLocation {
  const file = location.file.startsWith('file://') ? fileURLToPath(location.file) : location.file;
  const map = mapFor(file);
  if (!map) return { ...location, file };
  const original = originalPositionFor(map, { line: location.line, column: Math.max(0, location.column - 1) });
  if (original.source === null || original.line === null) return { ...location, file };
  const source = original.source.startsWith('file://') ? fileURLToPath(original.source) : path.resolve(path.dirname(file), original.source);
  return { file: source, line: original.line, column: (original.column ?? 0) + 1 };
}

function mapFor(file: string): TraceMap | undefined {
  if (!/\.[cm]?js$/.test(file) || !existsSync(file)) return undefined;
  const mtimeMs = statSync(file).mtimeMs;
  const hit = cache.get(file);
  if (hit && hit.mtimeMs === mtimeMs) return hit.map;
  const map = loadMap(file);
  cache.set(file, { mtimeMs, map });
  return map;
}

function loadMap(file: string): TraceMap | undefined {
  try {
    const text = readFileSync(file, 'utf8');
    const url = MAPPING_URL.exec(text.slice(-4096))?.[1];
    if (!url) return undefined;
    if (url.startsWith('data:')) {
      const [, payload = ''] = url.split(',', 2);
      const json = url.includes(';base64,') ? Buffer.from(payload, 'base64').toString('utf8') : decodeURIComponent(payload);
      return new TraceMap(json, pathToFileURL(file).href);
    }
    const mapFile = path.resolve(path.dirname(file), decodeURIComponent(url));
    return new TraceMap(readFileSync(mapFile, 'utf8'), pathToFileURL(mapFile).href);
  } catch {
    return undefined; // a broken map is as good as none: show the generated location
  }
}

/** `/abs/file.js:12:5`, `file:///abs/file.mjs:3:9` or `C:\dir\file.js:4` inside any text. */
export const LOCATION_PATTERN = /(?:file:\/\/)?((?:\/|[A-Za-z]:[\\/])[^\s():'"`]+?\.[cm]?[jt]sx?):(\d+)(?::(\d+))?/g;

/** The first stack frame of a Lambda error trace that is the user's code (not the runtime's, not node's). */
export function firstUserFrame(trace: string[] | undefined, codeDirs: string[]): SourceLocation | undefined {
  for (const line of trace ?? []) {
    for (const m of line.matchAll(LOCATION_PATTERN)) {
      const file = m[0].startsWith('file://') ? fileURLToPath(m[0].replace(/:\d+(?::\d+)?$/, '')) : m[1];
      if (file.includes(`${path.sep}node_modules${path.sep}`)) continue;
      if (!codeDirs.some((dir) => file.startsWith(dir + path.sep))) continue;
      return toSource({ file, line: Number(m[2]), column: Number(m[3] ?? 1) });
    }
  }
  return undefined;
}
