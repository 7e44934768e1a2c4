// Where a Python function's handler lives: `dir/sub/module.function` or
// `package.module.function` (split at the last dot, as awslambdaric does) → the module's file
// under the code root, and the line that defines the function.
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { FunctionConfig } from '../../functionConfig';
import type { HandlerLocation } from '../runtimeFamily';

/** `text`: the file's current content when the caller has it (an open, maybe unsaved, document). */
export function locatePythonHandler(fn: FunctionConfig, text?: string): HandlerLocation | undefined {
  const dot = fn.handler.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const modulePath = fn.handler.slice(0, dot).replace(/[/.]/g, path.sep);
  const name = fn.handler.slice(dot + 1);
  const file = [modulePath + '.py', path.join(modulePath, '__init__.py')]
    .map((f) => path.resolve(fn.codeDir, f))
    .find((f) => existsSync(f));
  if (!file) return undefined;
  return { file, line: definitionLine(text ?? readFileSync(file, 'utf8'), name), exportName: name };
}

function definitionLine(text: string, name: string): number {
  const lines = text.split(/\r?\n/);
  const patterns = [
    new RegExp(`^(?:async\\s+)?def\\s+${name}\\s*\\(`),
    new RegExp(`^${name}\\s*[:=]`),
    new RegExp(`^\\s+(?:async\\s+)?def\\s+${name}\\s*\\(`),
  ];
  for (const p of patterns) {
    const i = lines.findIndex((l) => p.test(l));
    if (i >= 0) return i;
  }
  return 0;
}
