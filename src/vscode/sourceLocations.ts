// Locations of the user's code in stack traces and log records, as the editor counts them
// (line and column from 1), taken back through the build's source map (debug/sourceMaps) so
// inline logs, links and errors land in the .ts file they came from.
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sourceMapOfFile } from '../debug/sourceMaps';

export interface SourceLocation {
  file: string;
  /** From 1. */
  line: number;
  /** From 1. */
  column: number;
}

/** The original location for a generated one, or the location itself when there is no map. */
export function toSource(location: SourceLocation): SourceLocation {
  const file = location.file.startsWith('file://') ? fileURLToPath(location.file) : location.file;
  const original = sourceMapOfFile(file)?.toOriginal(location.line, Math.max(0, location.column - 1));
  if (!original) return { ...location, file };
  return { file: original.path, line: original.line, column: original.column + 1 };
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
