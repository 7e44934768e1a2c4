// Option parsing shared by the subcommands: node's parseArgs with our error messages, the
// default template lookup, event input, and the options every template-loading command takes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { TemplateDiagnostic } from '../runtime/functionConfig';
import { findDefaultTemplate, noDefaultTemplateText } from '../runtime/template/templateDiscovery';
import { UsageError, type CliIO } from './cliCommand';

export function parse<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T) {
  try {
    return parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** Options every command that loads a template accepts, so what one command suggests another takes. */
export const TEMPLATE_OPTIONS = {
  region: { type: 'string' },
  'layer-arn-map': { type: 'string' },
} as const;

export const TEMPLATE_OPTIONS_USAGE = `      --region REGION        AWS_REGION of the functions and ARNs (default: AWS_REGION,
                             AWS_DEFAULT_REGION or the profile's region, else us-east-1)
      --layer-arn-map FILE   JSON {"<layer version ARN>": "<local folder or zip>"} for layers
                             that are not in the template; null runs without that layer`;

/** `--region`, checked against the shape of AWS region names. */
export function regionOption(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(value)) throw new UsageError(`--region must be an AWS region such as eu-west-1, got "${value}"`);
  return value;
}

export interface LayerArnMap {
  /** ARN → absolute folder or zip. */
  map: Record<string, string>;
  /** ARNs mapped to null: run without them. */
  without: string[];
}

export async function readLayerArnMap(cwd: string, given: string | undefined): Promise<LayerArnMap> {
  if (!given) return { map: {}, without: [] };
  const file = path.resolve(cwd, given);
  let map: unknown;
  try {
    map = JSON.parse(await fs.promises.readFile(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`--layer-arn-map ${file}: ${(err as Error).message}`);
  }
  if (!map || typeof map !== 'object' || Array.isArray(map) || Object.values(map).some((v) => typeof v !== 'string' && v !== null)) {
    throw new UsageError(`--layer-arn-map ${file} must be a JSON object {"<layer version ARN>": "<folder or zip path>" or null}`);
  }
  const entries = Object.entries(map as Record<string, string | null>);
  return {
    // Relative paths are relative to the map file, so the file can live in the project.
    map: Object.fromEntries(
      entries
        .filter((e): e is [string, string] => e[1] !== null)
        .map(([arn, p]) => [arn, path.isAbsolute(p) ? p : path.resolve(path.dirname(file), p)]),
    ),
    without: entries.filter(([, p]) => p === null).map(([arn]) => arn),
  };
}

/** `file:line:col: warning: message`, as compilers print them. */
export function formatDiagnostic(d: TemplateDiagnostic): string {
  return `${d.templatePath}:${d.position.line}:${d.position.column}: ${d.severity}: ${d.resource ? `${d.resource}: ` : ''}${d.message}`;
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

/** A log record as a terminal shows it: its '\r's (a runtime's newlines inside one record) as line breaks, as CloudWatch shows them. */
export const terminalLine = (message: string): string => message.replace(/\r/g, '\n') + '\n';
