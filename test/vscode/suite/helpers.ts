// Shared by the in-VS Code suite: the activated extension's API and the test workspace.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LambdaLabApi } from '../../../src/vscode/extension';

export const EXTENSION_ID = 'lambda-lab.lambda-lab';

export async function api(): Promise<LambdaLabApi> {
  const ext = vscode.extensions.getExtension<LambdaLabApi>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not installed`);
  const exports = await ext.activate();
  await exports.templates.ready();
  return exports;
}

/** The example project the harness copied into the workspace (examples/hello). */
export function helloDir(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the suite needs a workspace folder');
  return path.join(folder.uri.fsPath, 'hello');
}

/** 0-based line of the first line of `file` containing `text`. */
export async function lineOf(file: string, text: string): Promise<number> {
  const doc = await vscode.workspace.openTextDocument(file);
  const line = doc
    .getText()
    .split(/\r?\n/)
    .findIndex((l) => l.includes(text));
  assert.ok(line >= 0, `"${text}" not found in ${file}`);
  return line;
}

/** Polls `check` until it returns a value (VS Code updates some state asynchronously). */
export async function eventually<T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
