// The environment variables a handler process gets: Lambda's reserved ones, the function's,
// and only an allowlist of the host's. Not inheriting the host environment is fidelity and
// speed at once (an inherited NODE_EXTRA_CA_CERTS alone costs ~50 ms per Node start).
import * as path from 'node:path';
import type { FunctionConfig } from '../functionConfig';

/** Host variables passed through by default: credentials, region, proxies, locale. */
export const DEFAULT_HOST_ALLOWLIST = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_PROFILE',
  'AWS_CONFIG_FILE',
  'AWS_SHARED_CREDENTIALS_FILE',
  'AWS_ENDPOINT_URL*',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'HOME',
];

/** Variables Lambda reserves: a function may not set them (the template loader rejects them). */
export const RESERVED_VARIABLES = new Set([
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_DEFAULT_REGION',
  'AWS_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
]);

export interface EnvironmentContext {
  fn: FunctionConfig;
  version: string;
  region: string;
  runtimeApi: string;
  logStreamName: string;
  /** Folder laid out like /opt (merged layers), if any. */
  optDir?: string;
  /** The runtime family's own binaries, put first on PATH as /var/lang/bin is in Lambda. */
  binDir?: string;
  /** The runtime family's variables (NODE_PATH, ...): the function's own values win over them. */
  familyEnv?: Record<string, string>;
  hostEnv: NodeJS.ProcessEnv;
  hostAllowlist: string[];
  /** `provisioned-concurrency` for environments initialised ahead of their invocations. */
  initializationType?: InitializationType;
}

export type InitializationType = 'on-demand' | 'provisioned-concurrency';

export function environmentVariables(c: EnvironmentContext): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(c.hostEnv)) {
    if (value !== undefined && allowed(name, c.hostAllowlist)) env[name] = value;
  }
  for (const [name, value] of Object.entries(c.fn.environment)) {
    if (!RESERVED_VARIABLES.has(name)) env[name] = value;
  }
  const opt = c.optDir;
  const systemPath = [c.binDir, '/usr/local/bin', '/usr/bin', '/bin', opt && path.join(opt, 'bin')].filter(Boolean);
  const libPath = [opt && path.join(opt, 'lib'), '/lib64', '/usr/lib64'].filter(Boolean);
  Object.assign(env, {
    _HANDLER: c.fn.handler,
    AWS_REGION: c.region,
    AWS_DEFAULT_REGION: c.region,
    AWS_EXECUTION_ENV: `AWS_Lambda_${c.fn.runtime}`,
    AWS_LAMBDA_FUNCTION_NAME: c.fn.functionName,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(c.fn.memorySize),
    AWS_LAMBDA_FUNCTION_VERSION: c.version,
    AWS_LAMBDA_INITIALIZATION_TYPE: c.initializationType ?? 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: c.fn.loggingConfig.logGroup,
    AWS_LAMBDA_LOG_STREAM_NAME: c.logStreamName,
    AWS_LAMBDA_RUNTIME_API: c.runtimeApi,
    AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
    AWS_XRAY_DAEMON_ADDRESS: '169.254.79.129:2000',
    LAMBDA_TASK_ROOT: c.fn.codeDir,
    LAMBDA_RUNTIME_DIR: c.fn.codeDir,
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    PATH: systemPath.join(':'),
    LD_LIBRARY_PATH: libPath.join(':'),
  });
  // Not reserved (NODE_PATH, ...): Lambda sets them only when the function did not.
  for (const [name, value] of Object.entries(c.familyEnv ?? {})) {
    if (c.fn.environment[name] === undefined) env[name] = value;
  }
  if (opt) env.LAMBDA_LAB_OPT_DIR = opt;
  if (c.fn.loggingConfig.logFormat === 'JSON') {
    env.AWS_LAMBDA_LOG_FORMAT = 'JSON';
    env.AWS_LAMBDA_LOG_LEVEL = c.fn.loggingConfig.applicationLogLevel ?? 'INFO';
  }
  return env;
}

function allowed(name: string, allowlist: string[]): boolean {
  return allowlist.some((a) => (a.endsWith('*') ? name.startsWith(a.slice(0, -1)) : a === name));
}
