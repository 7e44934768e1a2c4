// SAM's `--env-vars` file: `{"Parameters": {...}, "<LogicalId or FunctionName>": {...}}`.
// As SAM applies it: "Parameters" entries apply to every function, a function's own entry
// (looked up by logical id first, then by function name) overrides them, and only variables
// the function declares in the template are overridden — the file never adds new ones.
import { readFileSync } from 'node:fs';
import type { SourcePosition } from '../functionConfig';
import { TemplateError } from './templateError';

export interface EnvVarsFile {
  path: string;
  /** The "Parameters" object. */
  global: Record<string, string>;
  /** Every other top-level object, by key (logical id or function name). */
  perFunction: Record<string, Record<string, string>>;
}

export function readEnvVarsFile(path: string): EnvVarsFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new TemplateError(
      path,
      { line: 1, column: 1 },
      undefined,
      `cannot read the env-vars file (${(e as Error).message}); check the --env-vars path`,
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    const message = (e as Error).message;
    const offset = /position (\d+)/.exec(message);
    throw new TemplateError(
      path,
      positionAt(text, offset ? Number(offset[1]) : text.length),
      undefined,
      `${message.replace(/ in JSON at position.*$/, '')}: the env-vars file must be JSON like {"Parameters": {"VAR": "value"}, "MyFunction": {"VAR": "value"}}`,
    );
  }
  if (!isObject(data)) {
    throw new TemplateError(
      path,
      { line: 1, column: 1 },
      undefined,
      'the env-vars file must hold a JSON object like {"Parameters": {...}, "MyFunction": {...}}',
    );
  }
  const perFunction: Record<string, Record<string, string>> = {};
  let global: Record<string, string> = {};
  for (const [key, value] of Object.entries(data)) {
    const variables = toVariables(path, text, key, value);
    if (key === 'Parameters') global = variables;
    else perFunction[key] = variables;
  }
  return { path, global, perFunction };
}

/** The function's environment after the file's overrides (SAM's precedence). */
export function applyEnvVars(
  file: EnvVarsFile | undefined,
  logicalId: string,
  functionName: string,
  declared: Record<string, string>,
): Record<string, string> {
  if (!file) return declared;
  const own = file.perFunction[logicalId] ?? file.perFunction[functionName] ?? {};
  const overrides = { ...file.global, ...own };
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(declared)) out[name] = name in overrides ? overrides[name] : value;
  return out;
}

function toVariables(path: string, text: string, key: string, value: unknown): Record<string, string> {
  if (!isObject(value)) {
    throw new TemplateError(path, positionOfKey(text, key), undefined, `"${key}" must be an object of variable names to values`);
  }
  const out: Record<string, string> = {};
  for (const [name, v] of Object.entries(value)) {
    if (v !== null && typeof v === 'object') {
      throw new TemplateError(path, positionOfKey(text, name), undefined, `"${key}.${name}" must be a string, number or boolean`);
    }
    out[name] = v === null ? '' : String(v);
  }
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Where `"key"` is first written (a good enough pointer for a hand-written file). */
function positionOfKey(text: string, key: string): SourcePosition {
  const offset = text.indexOf(JSON.stringify(key));
  return positionAt(text, offset < 0 ? 0 : offset);
}

function positionAt(text: string, offset: number): SourcePosition {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - (before.lastIndexOf('\n') + 1) + 1 };
}
