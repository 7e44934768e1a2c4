// Option parsing shared by the subcommands: node's parseArgs with our error messages, the
// default template lookup, and event input.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { findDefaultTemplate, noDefaultTemplateText } from '../runtime/template/templateDiscovery';
import { UsageError, type CliIO } from './cliCommand';

export function parse<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T) {
  try {
    return parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** `--template` as given, else template.yaml / .yml / .json in the current folder. */
export function findTemplate(given: string | undefined, cwd: string): string {
  if (given) {
    const file = path.resolve(cwd, given);
    if (!fs.existsSync(file)) throw new UsageError(`Template not found: ${file}`);
    return fs.statSync(file).isDirectory() ? findTemplate(undefined, file) : file;
  }
  const found = findDefaultTemplate(cwd);
  if (!found) throw new UsageError(`${noDefaultTemplateText(cwd)}: pass --template FILE`);
  return found;
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
