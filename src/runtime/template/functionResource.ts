// One AWS::Serverless::Function or AWS::Lambda::Function → FunctionConfig, in the shapes and
// with the defaults of Lambda's GetFunctionConfiguration; or, when it can't run here, the reason.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import {
  DEFAULT_EPHEMERAL_STORAGE_MB,
  DEFAULT_MEMORY_MB,
  DEFAULT_TIMEOUT_S,
  type ApplicationLogLevel,
  type DurableConfig,
  type FunctionConfig,
  type LoggingConfig,
  type SystemLogLevel,
  type UnsupportedFunction,
} from '../functionConfig';
import { RESERVED_VARIABLES } from '../environment/environmentVariables';
import { applyEnvVars, type EnvVarsFile } from './envVarsFile';
import { readEsbuildMetadata } from './esbuildMetadata';
import { isPlainMap, mergeGlobals } from './globals';
import { NO_VALUE } from './intrinsics';
import type { LoadContext } from './loadContext';
import { aliasNameProblem, containedPath } from './resourceNames';
import { ResourceProperties } from './resourceProperties';
import { isNodeRuntime, isPythonRuntime, unsupportedRuntimeReason } from './supportedRuntimes';
import type { TemplateMap, TemplateValue } from './templateDocument';

export const SERVERLESS_FUNCTION = 'AWS::Serverless::Function';
export const LAMBDA_FUNCTION = 'AWS::Lambda::Function';

const APPLICATION_LOG_LEVELS: ApplicationLogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];
const SYSTEM_LOG_LEVELS: SystemLogLevel[] = ['DEBUG', 'INFO', 'WARN'];

export type FunctionReadResult = { config: FunctionConfig } | { unsupported: UnsupportedFunction };

/** The name a function gets: its FunctionName property, else its logical id. */
export function functionNameOf(ctx: LoadContext, logicalId: string, resource: TemplateMap): string {
  const own = isPlainMap(resource.Properties) ? resource.Properties : {};
  return new ResourceProperties(ctx, logicalId, own).string('FunctionName') ?? logicalId;
}

export function readFunction(
  ctx: LoadContext,
  logicalId: string,
  resource: TemplateMap,
  functionName: string,
  envVars: EnvVarsFile | undefined,
): FunctionReadResult {
  const serverless = resource.Type === SERVERLESS_FUNCTION;
  const own = resource.Properties ?? {};
  if (!isPlainMap(own)) {
    throw ctx.doc.error(resource, 'Properties', logicalId, 'Properties must be a map of function properties');
  }
  const props = new ResourceProperties(ctx, logicalId, serverless ? mergeGlobals(ctx.doc, ctx.functionGlobals, own) : own);
  const position = ctx.resourcePosition(logicalId);
  const known: { runtime?: string; handler?: string } = {};
  const unsupported = (reason: string): FunctionReadResult => ({
    unsupported: { logicalId, functionName, ...known, reason, templatePath: ctx.doc.templatePath, position },
  });
  const softString = (name: string) => {
    const value = props.value(name);
    return typeof value === 'string' ? value : undefined;
  };
  known.runtime = softString('Runtime');
  known.handler = softString('Handler');
  if (known.runtime === undefined) delete known.runtime;
  if (known.handler === undefined) delete known.handler;

  if (props.string('PackageType') === 'Image') {
    return unsupported('PackageType Image is not supported: Lambda Lab runs .zip functions as host processes, not container images');
  }
  warnUnemulated(ctx, props);
  const runtime = props.string('Runtime');
  if (!runtime) {
    throw props.error(
      'Runtime',
      `Runtime is missing; set it (e.g. nodejs20.x) on the function${serverless ? ' or under Globals.Function' : ''}`,
    );
  }
  const runtimeProblem = unsupportedRuntimeReason(runtime);
  if (runtimeProblem) return unsupported(runtimeProblem);
  const handler = props.string('Handler') ?? '';
  if (!handler && (isNodeRuntime(runtime) || isPythonRuntime(runtime))) {
    throw props.error(
      'Handler',
      `Handler is missing; set it to <file>.<export>, e.g. app.handler${serverless ? ' (or under Globals.Function)' : ''}`,
    );
  }

  const code = readCodeLocation(ctx, props, serverless, runtime);
  if ('unsupported' in code) return unsupported(code.unsupported);
  const build = isNodeRuntime(runtime) ? readEsbuildMetadata(ctx, logicalId, resource, code.dir, handler) : undefined;

  const declared = readEnvironment(props);
  if (build?.sourcemap && !('NODE_OPTIONS' in declared)) {
    // As `sam build` does for esbuild functions with source maps, so stack traces show .ts lines.
    declared.NODE_OPTIONS = '--enable-source-maps';
  }

  const config: FunctionConfig = {
    logicalId,
    functionName,
    runtime,
    handler,
    codeDir: build ? containedPath(ctx.stateDir, 'build', logicalId) : code.dir,
    memorySize: props.integer('MemorySize', DEFAULT_MEMORY_MB, 128, 10240, ' MB'),
    timeout: props.integer('Timeout', DEFAULT_TIMEOUT_S, 1, 900, ' seconds'),
    environment: applyEnvVars(envVars, logicalId, functionName, declared),
    architectures: readArchitectures(props),
    loggingConfig: readLoggingConfig(ctx, props, functionName),
    ephemeralStorage: readEphemeralStorage(props),
    layers: readLayers(ctx, props),
    templatePath: ctx.doc.templatePath,
    position,
  };
  const description = props.string('Description');
  if (description !== undefined) config.description = description;
  if (props.has('ReservedConcurrentExecutions')) {
    config.reservedConcurrentExecutions = props.integer('ReservedConcurrentExecutions', 0, 0, 1_000_000);
  }
  if (build) config.build = build;
  const alias = serverless ? props.string('AutoPublishAlias') : undefined;
  const aliasProblem = alias === undefined ? undefined : aliasNameProblem(alias);
  if (aliasProblem) throw props.error('AutoPublishAlias', aliasProblem);
  if (alias) config.autoPublishAlias = alias;
  const durable = readDurableConfig(props);
  if (durable) config.durableConfig = durable;
  const provisioned = serverless ? readProvisionedConcurrency(props, alias) : undefined;
  if (provisioned !== undefined) config.provisionedConcurrency = provisioned;
  return { config };
}

/** SAM puts ProvisionedConcurrencyConfig on the AutoPublishAlias, so it refuses one without the other. */
function readProvisionedConcurrency(props: ResourceProperties, alias: string | undefined): number | undefined {
  const config = props.map('ProvisionedConcurrencyConfig');
  if (!config) return undefined;
  if (!alias)
    throw props.error(
      'ProvisionedConcurrencyConfig',
      'To set ProvisionedConcurrencyConfig AutoPublishAlias must be defined on the function',
    );
  const n = config.ProvisionedConcurrentExecutions;
  const count = typeof n === 'number' ? n : typeof n === 'string' && n.trim() !== '' ? Number(n) : NaN;
  if (!Number.isInteger(count) || count < 1) {
    throw props.error(
      'ProvisionedConcurrencyConfig',
      `ProvisionedConcurrencyConfig.ProvisionedConcurrentExecutions must be a whole number of 1 or more, not ${JSON.stringify(n)}`,
    );
  }
  return count;
}

/** Properties whose absence locally changes what the function sees; it still runs, with a warning. */
const UNEMULATED: Record<string, string> = {
  FileSystemConfigs: 'EFS file systems are not mounted locally: paths under /mnt/ do not exist',
  VpcConfig: 'the function runs on your network, not in the VPC: private endpoints may be unreachable and public ones reachable',
  CapacityProviderConfig:
    'Lambda Managed Instances (several invocations per environment) are not emulated: each environment handles one invocation at a time',
  TenancyConfig: 'tenant isolation is not emulated: invocations are not separated by tenant id',
  SnapStart: 'SnapStart does not apply locally: every cold start runs the full init',
};

function warnUnemulated(ctx: LoadContext, props: ResourceProperties): void {
  for (const [name, difference] of Object.entries(UNEMULATED)) {
    if (declares(props, name)) ctx.warn(props.raw, name, props.logicalId, `${name}: ${difference}`);
  }
}

/**
 * Whether the template sets a property, looked at as written: its value is not evaluated, so
 * references only a stack could resolve (subnet ids, ...) cause no warnings of their own.
 */
function declares(props: ResourceProperties, name: string): boolean {
  const raw = props.raw[name];
  if (raw === undefined || raw === null) return false;
  return !(isPlainMap(raw) && Object.keys(raw).length === 1 && raw.Ref === 'AWS::NoValue');
}

type CodeLocation = { dir: string } | { unsupported: string };

function readCodeLocation(ctx: LoadContext, props: ResourceProperties, serverless: boolean, runtime: string): CodeLocation {
  const property = serverless ? 'CodeUri' : 'Code';
  const code = serverless ? undefined : props.value('Code');
  const inline = serverless ? props.value('InlineCode') : isPlainMap(code) ? code.ZipFile : undefined;
  if (inline !== undefined) return writeInlineCode(ctx, props, inline, runtime);
  // SAM CLI runs a function without CodeUri from the template's folder.
  const value: TemplateValue | undefined = serverless ? (props.value(property) ?? '.') : code;
  if (value === undefined) {
    throw props.error(property, 'Code is missing; set Code to a local folder or to {ZipFile: <inline code>}');
  }
  if (isPlainMap(value)) {
    if (value.ImageUri !== undefined) return { unsupported: 'container images (Code.ImageUri) are not supported' };
    return {
      unsupported: `${property} points at S3 (${s3Description(value)}); Lambda Lab runs local code: set ${property} to a local folder`,
    };
  }
  if (typeof value !== 'string') throw props.error(property, `${property} must be a local folder path`);
  if (value.startsWith('s3://')) {
    return { unsupported: `${property} points at S3 (${value}); Lambda Lab runs local code: set ${property} to a local folder` };
  }
  const dir = isAbsolute(value) ? value : resolve(ctx.templateDir, value);
  if (!existsSync(dir)) {
    const sameButCase = folderDifferingInCase(dir);
    const fix = sameButCase
      ? `set ${property} to ${relative(ctx.templateDir, sameButCase)}/, the folder on disk (names differ only in case, and Lambda's file system is case-sensitive)`
      : 'fix the path or create the folder';
    return { unsupported: `${property} folder ${dir} does not exist; ${fix}` };
  }
  if (!statSync(dir).isDirectory()) {
    return { unsupported: `${property} ${dir} is a file; .zip packages are not supported yet, point ${property} at the unzipped folder` };
  }
  return { dir };
}

/** The sibling of a missing folder whose name differs only in case, e.g. `Src` for `src`. */
function folderDifferingInCase(dir: string): string | undefined {
  try {
    const name = basename(dir).toLowerCase();
    const hit = readdirSync(dirname(dir), { withFileTypes: true }).find((e) => e.isDirectory() && e.name.toLowerCase() === name);
    return hit && join(dirname(dir), hit.name);
  } catch {
    return undefined;
  }
}

function s3Description(value: TemplateMap): string {
  const bucket = value.Bucket ?? value.S3Bucket;
  const key = value.Key ?? value.S3Key;
  return `s3://${typeof bucket === 'string' ? bucket : '?'}/${typeof key === 'string' ? key : '?'}`;
}

/** Lambda stores inline code as `index.js` (Node) / `index.py` (Python); we write it under stateDir. */
function writeInlineCode(ctx: LoadContext, props: ResourceProperties, code: TemplateValue, runtime: string): CodeLocation {
  const python = isPythonRuntime(runtime);
  if (!isNodeRuntime(runtime) && !python)
    return { unsupported: `inline code is only available for Node.js and Python runtimes, not ${runtime}` };
  if (typeof code !== 'string') throw props.error('Code', 'inline code (ZipFile / InlineCode) must be a string');
  const dir = containedPath(ctx.stateDir, 'inline', props.logicalId);
  const file = join(dir, python ? 'index.py' : 'index.js');
  // Rewriting unchanged code would look like a code change to the file watcher.
  if (!existsSync(file) || readFileSync(file, 'utf8') !== code) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, code);
  }
  return { dir };
}

function readEnvironment(props: ResourceProperties): Record<string, string> {
  const environment = props.map('Environment');
  if (!environment || environment.Variables === undefined || environment.Variables === null) return {};
  const variables = environment.Variables;
  if (!isPlainMap(variables))
    throw props.nestedError(['Environment', 'Variables'], 'Environment.Variables must be a map of names to values');
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(variables)) {
    const path = ['Environment', 'Variables', name];
    if (!/^[a-zA-Z]\w*$/.test(name)) {
      throw props.nestedError(
        path,
        `environment variable name ${name} is invalid; Lambda accepts letters, digits and _ starting with a letter`,
      );
    }
    if (RESERVED_VARIABLES.has(name)) {
      throw props.nestedError(path, `${name} is reserved by Lambda and cannot be set in the function's environment; rename it`);
    }
    if (value !== null && typeof value === 'object') {
      throw props.nestedError(path, `environment variable ${name} must be a string, not ${Array.isArray(value) ? 'a list' : 'a map'}`);
    }
    out[name] = value === null ? '' : String(value);
  }
  return out;
}

function readArchitectures(props: ResourceProperties): Array<'x86_64' | 'arm64'> {
  const list = props.list('Architectures');
  if (!list) return ['x86_64'];
  if (list.length !== 1 || (list[0] !== 'x86_64' && list[0] !== 'arm64')) {
    throw props.error('Architectures', 'Architectures must be a list of exactly one of x86_64, arm64');
  }
  return [list[0]];
}

function readLoggingConfig(ctx: LoadContext, props: ResourceProperties, functionName: string): LoggingConfig {
  const raw = props.map('LoggingConfig') ?? {};
  const format = raw.LogFormat ?? 'Text';
  if (format !== 'Text' && format !== 'JSON') {
    throw props.nestedError(['LoggingConfig', 'LogFormat'], `LoggingConfig.LogFormat must be Text or JSON, not ${String(format)}`);
  }
  const config: LoggingConfig = {
    logFormat: format,
    logGroup: typeof raw.LogGroup === 'string' ? raw.LogGroup : `/aws/lambda/${functionName}`,
  };
  const app = raw.ApplicationLogLevel;
  const system = raw.SystemLogLevel;
  if (format === 'Text') {
    if (app !== undefined || system !== undefined) {
      ctx.warn(
        props.raw,
        'LoggingConfig',
        props.logicalId,
        'ApplicationLogLevel and SystemLogLevel only apply with LogFormat JSON (as in Lambda); they are ignored',
      );
    }
    return config;
  }
  // With JSON logs Lambda reports INFO for levels that were not set.
  config.applicationLogLevel = oneOf(props, 'ApplicationLogLevel', app ?? 'INFO', APPLICATION_LOG_LEVELS);
  config.systemLogLevel = oneOf(props, 'SystemLogLevel', system ?? 'INFO', SYSTEM_LOG_LEVELS);
  return config;
}

function oneOf<T extends string>(props: ResourceProperties, field: string, value: TemplateValue, allowed: T[]): T {
  const upper = String(value).toUpperCase() as T;
  if (!allowed.includes(upper)) {
    throw props.nestedError(['LoggingConfig', field], `LoggingConfig.${field} must be one of ${allowed.join(', ')}`);
  }
  return upper;
}

/** DurableConfig as CloudFormation takes it: ExecutionTimeout (required) and RetentionPeriodInDays (default 14). */
function readDurableConfig(props: ResourceProperties): DurableConfig | undefined {
  const durable = props.map('DurableConfig');
  if (!durable) return undefined;
  const whole = (field: string, min: number, max: number, fallback?: number): number => {
    const raw = durable[field];
    if (raw === undefined && fallback !== undefined) return fallback;
    const n = Number(raw);
    if (raw === undefined || !Number.isInteger(n) || n < min || n > max) {
      throw props.nestedError(['DurableConfig', field], `DurableConfig.${field} must be a whole number from ${min} to ${max}`);
    }
    return n;
  };
  return { executionTimeout: whole('ExecutionTimeout', 1, 31_622_400), retentionPeriodInDays: whole('RetentionPeriodInDays', 1, 90, 14) };
}

function readEphemeralStorage(props: ResourceProperties): number {
  const storage = props.map('EphemeralStorage');
  if (!storage || storage.Size === undefined) return DEFAULT_EPHEMERAL_STORAGE_MB;
  const size = Number(storage.Size);
  if (!Number.isInteger(size) || size < 512 || size > 10240) {
    throw props.nestedError(['EphemeralStorage', 'Size'], 'EphemeralStorage.Size must be a whole number of MB from 512 to 10240');
  }
  return size;
}

/** Template layers stay logical ids (`!Ref MyLayer` → `MyLayer`), others stay ARNs. */
function readLayers(ctx: LoadContext, props: ResourceProperties): string[] {
  const raw = props.raw.Layers;
  if (raw === undefined) return [];
  // Written as a list (possibly Globals + own): look at each entry before it is evaluated.
  const entries: Array<string | typeof NO_VALUE | TemplateValue> = Array.isArray(raw)
    ? raw.map((item) => {
        const ref = isPlainMap(item) && Object.keys(item).length === 1 ? item.Ref : undefined;
        return typeof ref === 'string' && ctx.isLayer(ref) ? ref : ctx.resolver.resolve(item, props.logicalId);
      })
    : (props.list('Layers') ?? []);
  const out: string[] = [];
  for (const entry of entries) {
    if (entry === NO_VALUE) continue;
    if (typeof entry !== 'string') throw props.error('Layers', 'each entry of Layers must be a layer ARN or !Ref of a layer resource');
    if (ctx.withoutLayers.has(entry)) {
      ctx.warn(
        props.raw,
        'Layers',
        props.logicalId,
        `layer ${entry} is left out (the layer ARN map maps it to null): the function runs without it, and code needing it fails as it would in Lambda without the layer`,
      );
      continue;
    }
    out.push(entry);
  }
  return out;
}
