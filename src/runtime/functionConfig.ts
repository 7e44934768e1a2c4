// The function model: what a template says about each function and layer, in the shapes
// of Lambda's own API (GetFunctionConfiguration, GetLayerVersion), plus where in the
// template each thing came from so errors can point at it.
import type { AsyncTemplateSettings } from './async/eventInvokeConfig';
import type { HttpFrontDoorConfig } from './template/httpModel';

export interface SourcePosition {
  /** 1-based line and column in the template file. */
  line: number;
  column: number;
}

export type LogFormat = 'Text' | 'JSON';
export type ApplicationLogLevel = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'FATAL';
export type SystemLogLevel = 'DEBUG' | 'INFO' | 'WARN';

export interface LoggingConfig {
  logFormat: LogFormat;
  /** Only meaningful with logFormat JSON, as in Lambda. */
  applicationLogLevel?: ApplicationLogLevel;
  systemLogLevel?: SystemLogLevel;
  /** Default `/aws/lambda/<functionName>`. */
  logGroup: string;
}

/** SAM `Metadata: BuildMethod: esbuild` with its `BuildProperties`. */
export interface EsbuildBuildConfig {
  method: 'esbuild';
  /** Absolute folder holding the sources (the function's CodeUri). */
  sourceDir: string;
  /** Relative to sourceDir, as in the template. */
  entryPoints: string[];
  sourcemap: boolean;
  target?: string;
  format?: 'cjs' | 'esm';
  minify?: boolean;
  external?: string[];
  /** Extension of the emitted files, `.js` or `.mjs` (SAM's OutExtension). */
  outExtension?: string;
  /** package.json fields tried in order when resolving a package (SAM's MainFields). */
  mainFields?: string[];
  /** File extension → esbuild loader, e.g. `{ ".png": "file" }` (SAM's Loader: [".png=file"]). */
  loader?: Record<string, string>;
  /** Text put at the top / bottom of each output JavaScript file (SAM's Banner / Footer: js=...). */
  banner?: string;
  footer?: string;
  /** Whether source maps embed the sources (SAM's SourcesContent; default true as in esbuild). */
  sourcesContent?: boolean;
}

export interface FunctionConfig {
  /** Template logical id, e.g. `HelloFunction`. */
  logicalId: string;
  /** `FunctionName` property or, as CloudFormation would generate, `<stack>-<logicalId>`-like; locally: the logical id. */
  functionName: string;
  description?: string;
  /** e.g. `nodejs20.x`, `provided.al2023`. */
  runtime: string;
  /** e.g. `app.handler`, `src/dir/file.a.b`. Absent for provided runtimes that ignore it. */
  handler: string;
  /** Absolute folder the handler is resolved in (LAMBDA_TASK_ROOT). For esbuild functions: the build output folder. */
  codeDir: string;
  memorySize: number;
  /** Seconds. */
  timeout: number;
  environment: Record<string, string>;
  reservedConcurrentExecutions?: number;
  architectures: Array<'x86_64' | 'arm64'>;
  loggingConfig: LoggingConfig;
  /** MB, default 512. */
  ephemeralStorage: number;
  /** Layer references in template order: logical ids of template layers or ARNs. */
  layers: string[];
  build?: EsbuildBuildConfig;
  /** SAM AutoPublishAlias, if any. */
  autoPublishAlias?: string;
  /** DurableConfig: the function runs as a durable execution (checkpoints and replay). */
  durableConfig?: DurableConfig;
  /** SAM ProvisionedConcurrencyConfig.ProvisionedConcurrentExecutions, set on the AutoPublishAlias. */
  provisionedConcurrency?: number;
  /** Absolute path of the template that defined it and the resource's position there. */
  templatePath: string;
  position: SourcePosition;
}

export interface DurableConfig {
  /** Seconds an execution may run, waits included (1 to 31,622,400). */
  executionTimeout: number;
  /** Days an ended execution stays listed (1 to 90, default 14). */
  retentionPeriodInDays: number;
}

/** A function the template defines that cannot run here, and why. */
export interface UnsupportedFunction {
  logicalId: string;
  functionName: string;
  /** As the template gives them, when it does: tools can still show the function. */
  runtime?: string;
  handler?: string;
  reason: string;
  templatePath: string;
  position: SourcePosition;
}

export interface LayerConfig {
  logicalId: string;
  layerName: string;
  description?: string;
  /** Absolute folder (or .zip file) of the layer content. */
  contentPath: string;
  compatibleRuntimes: string[];
  compatibleArchitectures: string[];
  templatePath: string;
  position: SourcePosition;
}

export interface TemplateDiagnostic {
  severity: 'error' | 'warning';
  message: string;
  templatePath: string;
  position: SourcePosition;
  /** Logical id of the resource concerned, when there is one. */
  resource?: string;
}

export interface TemplateModel {
  templatePath: string;
  functions: FunctionConfig[];
  unsupported: UnsupportedFunction[];
  layers: LayerConfig[];
  /** Resolved parameter values (defaults, overridden by the env-vars file's `Parameters`). */
  parameters: Record<string, string>;
  /** Non-fatal findings (unknown properties, ignored features). Fatal ones throw TemplateError. */
  diagnostics: TemplateDiagnostic[];
  /** EventInvokeConfig and dead-letter settings (template/asyncInvokeResources.ts). */
  asyncInvoke?: AsyncTemplateSettings;
  /** API Gateway APIs and function URLs the template declares. */
  http?: HttpFrontDoorConfig;
}

export const DEFAULT_MEMORY_MB = 128;
export const DEFAULT_TIMEOUT_S = 3;
export const DEFAULT_EPHEMERAL_STORAGE_MB = 512;
