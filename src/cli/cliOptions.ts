// Option parsing shared by the subcommands: node's parseArgs with our error messages, the
// default template lookup, and event input.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError, type CliIO } from './cliCommand';

export function parse<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T) {
  try {
    return parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

export const TEMPLATE_NAMES = ['template.yaml', 'template.yml', 'template.json'];

/** `--template` as given, else template.yaml / .yml / .json in the current folder. */
export function findTemplate(given: string | undefined, cwd: string): string {
  if (given) {
    const file = path.resolve(cwd, given);
    if (!fs.existsSync(file)) throw new UsageError(`Template not found: ${file}`);
    return fs.statSync(file).isDirectory() ? findTemplate(undefined, file) : file;
  }
  for (const name of TEMPLATE_NAMES) {
    const file = path.join(cwd, name);
    if (fs.existsSync(file)) return file;
  }
  throw new UsageError(`No template.yaml, template.yml or template.json in ${cwd}: pass --template FILE`);
}

/** The invoke payload from `--payload`, `-e FILE` or `-e -` (stdin); `{}` when none is given. */
export async function readEvent(io: CliIO, eventFile: string | undefined, payload: string | undefined): Promise<string> {
  if (eventFile && payload !== undefined) throw new UsageError('Give either --event/-e or --payload, not both');
  let text: string;
  let origin: string;
  if (payload !== undefined) {
    text = payload;
    origin = '--payload';
  } else if (eventFile === '-') {
    const chunks: Buffer[] = [];
    for await (const c of io.stdin) chunks.push(Buffer.from(c));
    text = Buffer.concat(chunks).toString();
    origin = 'standard input';
  } else if (eventFile) {
    const file = path.resolve(io.cwd, eventFile);
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      throw new UsageError(`Event file not found: ${file}`);
    }
    origin = file;
  } else {
    return '{}';
  }
  if (text.trim() === '') return '{}';
  try {
    JSON.parse(text);
  } catch (err) {
    throw new UsageError(`The event in ${origin} is not valid JSON: ${describeJsonError(text, err as Error)}`);
  }
  return text;
}

/** `Unexpected token } in JSON at position 12` → adds line and column. */
export function describeJsonError(text: string, err: Error): string {
  const pos = Number(/position (\d+)/.exec(err.message)?.[1]);
  if (!Number.isFinite(pos)) return err.message;
  const before = text.slice(0, pos).split('\n');
  return `${err.message} (line ${before.length}, column ${before.at(-1)!.length + 1})`;
}

/** `--python python3.12=/usr/bin/python3.12` (repeatable) → interpreter per runtime, relative paths from `cwd`. */
export function parsePythonBinaries(specs: string[] | undefined, cwd: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const spec of specs ?? []) {
    const m = /^(python3\.\d+)=(.+)$/.exec(spec);
    if (!m) throw new UsageError(`--python: expected RUNTIME=PATH such as python3.12=/usr/bin/python3.12, got "${spec}"`);
    out[m[1]] = m[2].includes('/') ? path.resolve(cwd, m[2]) : m[2];
  }
  return out;
}
