// The workspace the VS Code suite runs in, made fresh for every run (the tests write events
// and runtime state into it): copies of examples/hello, of the layered fixture, and of the
// real-world fixture (JavaScript, TypeScript/esbuild minified without source maps, MainFields,
// a Java function, a Python function, a broken template, a CodeUri in the wrong case, asynchronous
// invocation with an extension layer).
import { cpSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export function makeWorkspace(scratch) {
  const ws = path.join(scratch, 'workspace');
  mkdirSync(ws, { recursive: true });
  cpSync(path.join(repoRoot, 'examples', 'hello'), path.join(ws, 'hello'), {
    recursive: true,
    filter: (src) => !/[\\/](node_modules|\.lambda-lab)$/.test(src),
  });
  cpSync(path.join(repoRoot, 'test', 'vscode', 'fixtures', 'layered'), path.join(ws, 'layered'), { recursive: true });
  cpSync(path.join(repoRoot, 'test', 'vscode', 'fixtures', 'realWorld'), path.join(ws, 'real-world'), { recursive: true });
  return ws;
}
