// Python functions (python3.9–python3.14): our bootstrap (bootstrap/python, standard library
// only) on a local interpreter, with a structured log channel. sys.path is set inside the
// bootstrap (code root, the layers' python folders, then the interpreter's own packages).
import * as path from 'node:path';
import { LOG_FD_ENV, WAIT_FOR_DEBUGGER_ENV } from '../../bootstrap/bootstrapProtocol';
import type { FunctionErrorBody } from '../../errors/functionErrors';
import type { FunctionConfig } from '../../functionConfig';
import { locateBootstrap } from '../../bootstrap/bootstrapLocation';
import { PYTHON_RUNTIMES } from '../../template/supportedRuntimes';
import type {
  FamilyHost,
  FamilyLauncher,
  LaunchFailure,
  LaunchRequest,
  ProcessLaunch,
  RuntimeFamily,
  StderrMeaning,
} from '../runtimeFamily';
import { locatePythonHandler } from './pythonHandlerLocation';
import { resolvePython, runtimeMinor, type PythonInterpreter } from './pythonInterpreter';

/** The bootstrap's structured log records come on this descriptor (stdout stays the handler's). */
const LOG_FD = 3;

/** What the bootstrap prints on stderr once debugpy listens (bootstrap/python/lambda_lab_bootstrap/debugger.py). */
const DEBUGPY_LISTENING = /^Lambda Lab bootstrap: debugpy listening on (\S+:\d+)$/;
/** The bootstrap leaving when its Runtime API closes: how an environment is ended gracefully. */
const NOISE = /^Lambda Lab bootstrap: lost the Runtime API/;

export const pythonFamily: RuntimeFamily = {
  name: 'python',
  runtimes: PYTHON_RUNTIMES,
  debugBridge: 'dap',
  sourceLanguages: ['python'],
  logCallSites: true,
  // What CPython reads as it starts: its own PYTHON* settings (sys.path, flags, hash seed, I/O
  // encoding), the locale (file system and standard stream encodings), HOME (the user site
  // folder on sys.path), TZ (the time module) and the dynamic loader's path (extension modules).
  // They are the same for most functions, so the waiting process starts with them.
  prestart: { carry: /^(PYTHON\w*|LANG|LANGUAGE|LC_\w+|HOME|TZ|LD_\w+)$/ },

  launcher: (host: FamilyHost): FamilyLauncher => {
    const said = new Set<string>();
    return {
      async launch({ fn, debug }: LaunchRequest): Promise<ProcessLaunch | LaunchFailure> {
        const python = await resolvePython(fn, host.binaries);
        if (python.problem) return { initError: noInterpreter(fn, python) };
        const key = `${fn.runtime}:${python.path}`;
        if (!said.has(key)) {
          said.add(key);
          for (const note of interpreterNotes(fn, python)) host.diagnostic(note.level, note.message);
        }
        const env: Record<string, string> = { [LOG_FD_ENV]: String(LOG_FD) };
        if (debug) env[WAIT_FOR_DEBUGGER_ENV] = '1';
        // Frozen standard-library modules would hide their source from the debugger.
        const args = debug ? ['-Xfrozen_modules=off', locateBootstrap('python')] : [locateBootstrap('python')];
        return { command: python.path, args, env, binDir: path.dirname(python.path), logFd: LOG_FD, localRuntimeApi: true };
      },
    };
  },

  stderrMeaning(line: string): StderrMeaning {
    const listening = DEBUGPY_LISTENING.exec(line);
    if (listening) return { kind: 'debugger-ready', url: `tcp://${listening[1]}` };
    if (NOISE.test(line)) return { kind: 'noise' };
    return { kind: 'log' };
  },

  locateHandler: locatePythonHandler,
};

const HOW_TO_CHOOSE = (runtime: string) =>
  `set lambdaLab.pythonBinaries or pass --python ${runtime}=PATH, or create the project's .venv with it`;

/** Which interpreter runs (said once per runtime and interpreter), and warnings when it is not the runtime's version or lacks boto3. */
export function interpreterNotes(fn: FunctionConfig, python: PythonInterpreter): Array<{ level: 'info' | 'warning'; message: string }> {
  const wanted = runtimeMinor(fn.runtime);
  const origin = python.origin === 'PATH' ? 'python3 on PATH' : python.origin === 'configured' ? 'configured' : `the ${python.origin}`;
  const which = `${fn.logicalId}: runtime ${fn.runtime} runs on ${python.path} (Python ${python.version}, ${origin})`;
  const notes: Array<{ level: 'info' | 'warning'; message: string }> = [];
  if (wanted && python.minor !== wanted) {
    notes.push({
      level: 'warning',
      message: `${which}; use a Python ${wanted} interpreter for full fidelity: ${HOW_TO_CHOOSE(fn.runtime)}.`,
    });
  } else {
    notes.push({ level: 'info', message: `${which}.` });
  }
  if (python.hasBoto3 === false) {
    notes.push({
      level: 'warning',
      message:
        `${fn.logicalId}: boto3 is part of the ${fn.runtime} managed runtime but ${python.path} cannot import it: install it there ` +
        `(pip install boto3 in the virtual environment, or apt-get install python3-boto3 for Debian's /usr/bin/python3) or pick another interpreter.`,
    });
  }
  return notes;
}

function noInterpreter(fn: FunctionConfig, python: PythonInterpreter): FunctionErrorBody {
  const errorType = 'Runtime.InvalidEntrypoint';
  const errorMessage = `No Python interpreter for ${fn.runtime}: ${python.problem}. Install Python ${runtimeMinor(fn.runtime) ?? '3'}, or ${HOW_TO_CHOOSE(fn.runtime)}.`;
  return { errorType, payload: Buffer.from(JSON.stringify({ errorType, errorMessage })) };
}
