// Which Python runs a function: the interpreter the user mapped to its runtime
// (lambdaLab.pythonBinaries / --python RUNTIME=PATH), else the project's virtual environment
// (.venv or venv in the code folder or a folder above it, up to the template's), else an
// activated one (VIRTUAL_ENV), else `python3` on PATH. Each interpreter is asked once for its
// version, its real executable (a pyenv shim costs a shell per start) and whether boto3 is there.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FunctionConfig } from '../../functionConfig';

export type InterpreterOrigin = 'configured' | 'virtual environment' | 'activated virtual environment' | 'PATH';

export interface PythonInterpreter {
  /** What to run: the interpreter's own executable when it could be asked, else the path found. */
  path: string;
  origin: InterpreterOrigin;
  /** `3.12`, undefined when the interpreter could not be run. */
  minor?: string;
  /** `3.12.3`. */
  version?: string;
  hasBoto3?: boolean;
  /** Why it could not be run, if it could not. */
  problem?: string;
}

interface Probe {
  executable: string;
  version: string;
  hasBoto3: boolean;
}

const PROBE =
  'import sys, importlib.util as u; print(sys.executable); print("%d.%d.%d" % sys.version_info[:3]); print(u.find_spec("boto3") is not None)';
const probes = new Map<string, Promise<Probe | { problem: string }>>();

export async function resolvePython(
  fn: FunctionConfig,
  configured: Record<string, string> = {},
  hostEnv = process.env,
): Promise<PythonInterpreter> {
  const found = locate(fn, configured, hostEnv);
  if (!found.path) return { path: 'python3', origin: 'PATH', problem: 'python3 is not on PATH' };
  let asked = probes.get(found.path);
  if (!asked) {
    asked = ask(found.path);
    probes.set(found.path, asked);
  }
  const probe = await asked;
  if ('problem' in probe) return { path: found.path, origin: found.origin, problem: probe.problem };
  return {
    // A virtual environment's python must run by its own path: that is how it finds pyvenv.cfg.
    path: found.origin === 'PATH' ? probe.executable || found.path : found.path,
    origin: found.origin,
    version: probe.version,
    minor: probe.version.split('.').slice(0, 2).join('.'),
    hasBoto3: probe.hasBoto3,
  };
}

/** `python3.12` → `3.12`. */
export const runtimeMinor = (runtime: string) => /^python(\d+\.\d+)$/.exec(runtime)?.[1];

function locate(
  fn: FunctionConfig,
  configured: Record<string, string>,
  hostEnv: NodeJS.ProcessEnv,
): { path?: string; origin: InterpreterOrigin } {
  const mapped = configured[fn.runtime];
  if (mapped) return { path: mapped.includes(path.sep) ? mapped : (onPath(mapped, hostEnv.PATH) ?? mapped), origin: 'configured' };
  const venv = projectVirtualEnv(fn);
  if (venv) return { path: venv, origin: 'virtual environment' };
  const active = hostEnv.VIRTUAL_ENV && venvPython(hostEnv.VIRTUAL_ENV);
  if (active) return { path: active, origin: 'activated virtual environment' };
  return { path: onPath('python3', hostEnv.PATH), origin: 'PATH' };
}

/** `.venv` or `venv` in the code folder, or in a folder above it up to the template's (or the filesystem root). */
function projectVirtualEnv(fn: FunctionConfig): string | undefined {
  const stop = path.dirname(fn.templatePath);
  let dir = fn.codeDir;
  for (;;) {
    for (const name of ['.venv', 'venv']) {
      const python = venvPython(path.join(dir, name));
      if (python) return python;
    }
    const parent = path.dirname(dir);
    if (dir === stop || parent === dir || !isInside(dir, stop)) return undefined;
    dir = parent;
  }
}

function isInside(dir: string, root: string): boolean {
  const rel = path.relative(root, dir);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function venvPython(venv: string): string | undefined {
  if (!fs.existsSync(path.join(venv, 'pyvenv.cfg'))) return undefined;
  for (const name of ['python3', 'python']) {
    const candidate = path.join(venv, 'bin', name);
    if (fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}

function onPath(name: string, searchPath = ''): string | undefined {
  for (const dir of searchPath.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

function ask(python: string): Promise<Probe | { problem: string }> {
  return new Promise((resolve) => {
    execFile(python, ['-c', PROBE], { encoding: 'utf8', timeout: 10_000 }, (err, stdout) => {
      if (err) return resolve({ problem: `${python} does not run: ${err.message.split('\n')[0]}` });
      const [executable, version, boto3] = stdout.trim().split('\n');
      resolve({ executable, version, hasBoto3: boto3 === 'True' });
    });
  });
}
