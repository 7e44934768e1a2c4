// Where a Node function's handler lives in the user's source: the file and the line of the
// export, resolved as the Node runtime resolves `Handler` (and, for esbuild functions,
// through the template's EntryPoints back to the .ts source).
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { FunctionConfig } from '../../functionConfig';
import type { HandlerLocation } from '../runtimeFamily';

/** The Node runtime tries these in order for `file.export`. */
const NODE_EXTENSIONS = ['.js', '.mjs', '.cjs'];

/** `text`: the file's current content when the caller has it (an open, maybe unsaved, document). */
export function locateNodeHandler(fn: FunctionConfig, text?: string): HandlerLocation | undefined {
  if (!fn.handler) return undefined;
  const { modulePath, exportPath } = splitHandler(fn.handler);
  const file = sourceFileOf(fn, modulePath);
  if (!file) return undefined;
  return { file, line: exportLine(text ?? readFileSync(file, 'utf8'), exportPath[0]), exportName: exportPath.join('.') };
}

/** `src/dir/file.a.b` → module `src/dir/file`, export path `[a, b]`. */
function splitHandler(handler: string): { modulePath: string; exportPath: string[] } {
  const dir = path.posix.dirname(handler);
  const [file, ...exportPath] = path.posix.basename(handler).split('.');
  return { modulePath: dir === '.' ? file : `${dir}/${file}`, exportPath };
}

function sourceFileOf(fn: FunctionConfig, modulePath: string): string | undefined {
  if (fn.build) {
    // esbuild emits `<entry stem>.js` per entry point: the handler's module names its entry.
    const entry = fn.build.entryPoints.find((e) => e.replace(/\.[^./]+$/, '') === modulePath);
    const candidate = entry && path.resolve(fn.build.sourceDir, entry);
    if (candidate && existsSync(candidate)) return candidate;
  }
  for (const ext of NODE_EXTENSIONS) {
    const candidate = path.resolve(fn.codeDir, modulePath + ext);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

function exportLine(text: string, name: string): number {
  const lines = text.split(/\r?\n/);
  const n = name.replace(/[$]/g, '\\$');
  const patterns = [
    new RegExp(`^\\s*export\\s+(?:default\\s+)?(?:async\\s+)?function\\s*\\*?\\s*${n}\\b`),
    new RegExp(`^\\s*export\\s+(?:const|let|var)\\s+${n}\\b`),
    new RegExp(`^\\s*(?:module\\.)?exports\\.${n}\\s*=`),
    new RegExp(`^\\s*export\\s*\\{[^}]*\\b${n}\\b`),
    new RegExp(`^\\s*(?:async\\s+)?function\\s+${n}\\b`),
    new RegExp(`^\\s*(?:const|let|var)\\s+${n}\\b`),
  ];
  for (const p of patterns) {
    const i = lines.findIndex((l) => p.test(l));
    if (i >= 0) return i;
  }
  return 0;
}
