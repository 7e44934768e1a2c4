// How an environment's runtime process is started, given its function and layers: the
// variables Lambda sets, the `/opt` paths of layers' language hooks, and the function's
// AWS_LAMBDA_EXEC_WRAPPER in front of the runtime's command line.
import * as path from 'node:path';
import { isLaunchFailure } from '../families/runtimeFamily';
import type { EnvironmentSpec } from './environmentSpec';
import { environmentVariables } from './environmentVariables';

/** The runtime process's variables (the external extensions get the same). */
export function launchVariables(spec: EnvironmentSpec, runtimeApi: string, logStreamName: string): Record<string, string> {
  const { launch } = spec;
  const failed = isLaunchFailure(launch);
  const env = environmentVariables({
    fn: spec.fn,
    version: spec.version,
    region: spec.region,
    runtimeApi,
    logStreamName,
    optDir: spec.optDir,
    binDir: failed ? undefined : launch.binDir,
    familyEnv: failed ? undefined : launch.env,
    hostEnv: spec.hostEnv ?? process.env,
    hostAllowlist: spec.hostAllowlist,
    initializationType: spec.initializationType,
  });
  mapOptPaths(env, spec.optDir);
  return env;
}

/** The families whose runtimes honour AWS_LAMBDA_EXEC_WRAPPER (Lambda's managed runtimes; not OS-only ones). */
const WRAPPED_FAMILIES = new Set(['node', 'python']);

/**
 * The command line with the function's AWS_LAMBDA_EXEC_WRAPPER in front, as Lambda runs it:
 * the wrapper gets the runtime's command line as its arguments. `/opt/...` names the merged layers.
 */
export function wrappedCommand(
  family: string,
  env: Record<string, string>,
  optDir: string | undefined,
  command: string,
  args: string[],
): { command: string; args: string[] } {
  const wrapper = env.AWS_LAMBDA_EXEC_WRAPPER;
  if (!wrapper || !WRAPPED_FAMILIES.has(family)) return { command, args };
  const resolved = optDir && wrapper.startsWith('/opt/') ? path.join(optDir, wrapper.slice('/opt/'.length)) : wrapper;
  return { command: resolved, args: [command, ...args] };
}

/**
 * Layers' language hooks name files under /opt (`NODE_OPTIONS=--require /opt/…`,
 * `PYTHONPATH=/opt/…`): there, that is the merged layers' folder. Rewrites them in place.
 */
export function mapOptPaths(env: Record<string, string>, optDir: string | undefined): void {
  if (!optDir) return;
  for (const name of ['NODE_OPTIONS', 'PYTHONPATH']) {
    if (env[name]) env[name] = env[name].replace(/(^|[\s:=])\/opt\//g, `$1${optDir}/`);
  }
}
