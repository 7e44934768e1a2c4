// The `lambda-lab` launch and attach configurations, and turning them into checked settings and
// the functions to debug, with errors that name the field and what to do.
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { FunctionConfig } from '../runtime/functionConfig';
import type { LocalRuntime } from '../runtime/localRuntime';
import { locateBootstrap } from '../runtime/bootstrap/bootstrapLocation';
import type { RuntimeHost } from './runtimeHost';
import { NODE_INTERNALS } from './scriptPaths';

interface CommonArguments {
  /** Template file; default template.yaml/.yml/.json in `cwd`. */
  template?: string;
  /** SAM `--env-vars` shaped JSON file. */
  envVars?: string;
  /** Folder relative paths resolve against (VS Code passes the workspace folder). */
  cwd?: string;
  /** `suspended` (default): the function's timeout does not run while a debugger is attached. */
  timeout?: 'suspended' | 'enforced';
  sourceMaps?: boolean;
  /** Globs of scripts never to stop in; default our bootstrap and Node's internals. */
  skipFiles?: string[];
}

export interface LaunchArguments extends CommonArguments, DebugProtocol.LaunchRequestArguments {
  /** Logical id or FunctionName. */
  function: string;
  /** JSON file holding the event. */
  event?: string;
  /** The event itself, any JSON value. */
  payload?: unknown;
  /** Invocations to run then end the session (default 1); 0 keeps the session open for any invoker. */
  invocations?: number;
}

export interface AttachArguments extends CommonArguments, DebugProtocol.AttachRequestArguments {
  /** Functions to debug (logical ids or names); absent or `all`: every function. */
  functions?: string[] | 'all';
}

/** A launch or attach configuration the user must fix; the message says what and how. */
export class ConfigError extends Error {}

export interface SessionSettings {
  templatePath: string | undefined;
  envVarsFile: string | undefined;
  cwd: string;
  suspendTimeout: boolean;
  sourceMaps: boolean;
  skipFiles: string[];
}

export const DEFAULT_SKIP_FILES = [`${NODE_INTERNALS}/**`];

function resolveFile(field: string, value: unknown, cwd: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new ConfigError(`"${field}" must be a file path (got ${JSON.stringify(value)}).`);
  const full = path.resolve(cwd, value);
  if (!existsSync(full)) throw new ConfigError(`"${field}": file not found: ${full}. Fix the path in your launch configuration.`);
  return full;
}

export function commonSettings(args: CommonArguments): SessionSettings {
  const cwd = typeof args.cwd === 'string' && args.cwd ? path.resolve(args.cwd) : process.cwd();
  if (args.timeout !== undefined && args.timeout !== 'suspended' && args.timeout !== 'enforced') {
    throw new ConfigError(`"timeout" must be "suspended" or "enforced" (got ${JSON.stringify(args.timeout)}).`);
  }
  if (args.skipFiles !== undefined && (!Array.isArray(args.skipFiles) || args.skipFiles.some((g) => typeof g !== 'string'))) {
    throw new ConfigError('"skipFiles" must be a list of glob patterns, e.g. ["<node_internals>/**", "**/node_modules/**"].');
  }
  return {
    templatePath: resolveFile('template', args.template, cwd),
    envVarsFile: resolveFile('envVars', args.envVars, cwd),
    cwd,
    suspendTimeout: args.timeout !== 'enforced',
    sourceMaps: args.sourceMaps !== false,
    // The bootstrap is ours, not the user's: never stop in it, whatever skipFiles says.
    skipFiles: [...(args.skipFiles ?? DEFAULT_SKIP_FILES), `${path.dirname(locateBootstrap('node'))}/**`],
  };
}

/** The event to send: `payload` as given, or the content of the `event` file, as JSON text. */
export async function launchPayload(args: LaunchArguments, cwd: string): Promise<string> {
  if (args.event !== undefined && args.payload !== undefined) {
    throw new ConfigError('Give either "event" (a JSON file) or "payload" (the event itself), not both.');
  }
  const eventFile = resolveFile('event', args.event, cwd);
  if (!eventFile) return args.payload === undefined ? '{}' : JSON.stringify(args.payload);
  const text = await fs.readFile(eventFile, 'utf8');
  try {
    JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`"event": ${eventFile} is not valid JSON (${(err as Error).message}). Fix the file or use "payload".`);
  }
  return text;
}

export function invocationCount(args: LaunchArguments): number {
  const n = args.invocations ?? 1;
  if (!Number.isInteger(n) || n < 0) {
    throw new ConfigError(`"invocations" must be a whole number ≥ 0 (0 keeps the session open); got ${JSON.stringify(args.invocations)}.`);
  }
  return n;
}

/** Which functions' environments a session debugs. */
export type FunctionMatcher = (fn: { functionName: string }) => boolean;

export interface LaunchTarget {
  settings: SessionSettings;
  runtime: LocalRuntime;
  fn: FunctionConfig;
  payload: string;
  count: number;
}

export interface AttachTarget {
  settings: SessionSettings;
  runtime: LocalRuntime;
  matches: FunctionMatcher;
}

export async function resolveLaunch(args: LaunchArguments, host: RuntimeHost): Promise<LaunchTarget> {
  const settings = commonSettings(args);
  const count = invocationCount(args);
  const payload = await launchPayload(args, settings.cwd);
  if (typeof args.function !== 'string' || !args.function) {
    throw new ConfigError('"function" is required: the logical id or FunctionName of the function to debug.');
  }
  const runtime = await loadRuntime(host, settings);
  const fn = runtime.getFunction(args.function);
  if (!fn) throw new ConfigError(unknownFunctionMessage(runtime, args.function));
  return { settings, runtime, fn, payload, count };
}

export async function resolveAttach(args: AttachArguments, host: RuntimeHost): Promise<AttachTarget> {
  const settings = commonSettings(args);
  const runtime = await loadRuntime(host, settings);
  const wanted = args.functions === undefined || args.functions === 'all' ? undefined : args.functions;
  if (wanted !== undefined && (!Array.isArray(wanted) || wanted.some((w) => typeof w !== 'string'))) {
    throw new ConfigError('"functions" must be a list of function names or logical ids, or "all".');
  }
  const names = new Set<string>();
  for (const w of wanted ?? []) {
    const fn = runtime.getFunction(w);
    if (!fn) throw new ConfigError(unknownFunctionMessage(runtime, w));
    names.add(fn.functionName);
  }
  return { settings, runtime, matches: (f) => wanted === undefined || names.has(f.functionName) };
}

async function loadRuntime(host: RuntimeHost, settings: SessionSettings): Promise<LocalRuntime> {
  try {
    return await host.getRuntime(settings.templatePath, { envVarsFile: settings.envVarsFile, cwd: settings.cwd });
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(`Cannot load the template: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function unknownFunctionMessage(runtime: LocalRuntime, name: string): string {
  const known = runtime.functions().map((f) => f.logicalId);
  const listed = known.length ? `Functions: ${known.join(', ')}.` : 'The template defines no functions.';
  return `Function "${name}" is not defined in the template. ${listed} Fix "function" in your launch configuration.`;
}
