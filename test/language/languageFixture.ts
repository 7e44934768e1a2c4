// The fixture project every language test edits, and helpers to address its text.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Diagnostic, Range } from 'vscode-languageserver-protocol';
import { positionOf } from './lspClient';

export const PROJECT = path.join(__dirname, 'fixtures/project');
export const TEMPLATE = readFileSync(path.join(PROJECT, 'template.yaml'), 'utf8');

let counter = 0;
/** A fresh document URI in the fixture project (its CodeUri folders resolve there). */
export function freshUri(extension = 'yaml'): string {
  return pathToFileURL(path.join(PROJECT, `variant-${++counter}.${extension}`)).href;
}

/** The range of the `occurrence`-th `needle` in text (on one line), or of `part` inside it. */
export function rangeOf(text: string, needle: string, part = needle, occurrence = 1): Range {
  const start = positionOf(text, needle, needle.indexOf(part), occurrence);
  return { start, end: { line: start.line, character: start.character + part.length } };
}

/** Replaces exactly one occurrence, so a fixture edit can't silently miss. */
export function edit(text: string, from: string, to: string): string {
  const at = text.indexOf(from);
  if (at < 0 || text.indexOf(from, at + 1) >= 0) throw new Error(`${from} must occur exactly once`);
  return text.slice(0, at) + to + text.slice(at + from.length);
}

export function withMessage(diagnostics: Diagnostic[], pattern: RegExp): Diagnostic {
  const found = diagnostics.find((d) => pattern.test(d.message));
  if (!found) throw new Error(`no diagnostic matches ${pattern}: ${JSON.stringify(diagnostics.map((d) => d.message))}`);
  return found;
}
