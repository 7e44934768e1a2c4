// Python functions (python3.9–python3.14): our bootstrap (bootstrap/python, standard library
// only) on a local interpreter, with a structured log channel. sys.path is set inside the
// bootstrap (code root, the layers' python folders, then the interpreter's own packages).
import * as path from 'node:path';
import { LOG_FD_ENV, WAIT_FOR_DEBUGGER_ENV } from '../../bootstrap/bootstrapProtocol';
import type { FunctionErrorBody } from '../../errors/functionErrors';
import type { FunctionConfig } from '../../functionConfig';
import { locateBootstrap } from '../../nodeBinaries';
import { PYTHON_RUNTIMES } from '../../template/supportedRuntimes';
import type { LaunchFailure, LaunchRequest, ProcessLaunch, RuntimeFamily, StderrMeaning } from '../runtimeFamily';
import { locatePythonHandler } from './pythonHandlerLocation';
import { resolvePython, runtimeMinor, type PythonInterpreter } from './pythonInterpreter';

/** The bootstrap's structured log records come on this descriptor (stdout stays the handler's). */
const LOG_FD = 3;

/** What the bootstrap prints on stderr once debugpy listens (see bootstrap/python/.../debugger.py). */
const DEBUGPY_LISTENING = /^Lambda Lab bootstrap: debugpy listening on (\S+:\d+)$/;

export const pythonFamily: RuntimeFamily = {
  name: 'python',
  runtimes: PYTHON_RUNTIMES,
  debugBridge: 'dap',
  sourceLanguages: ['python'],
  logCallSites: true,

  launch({ fn, debug, binaries }: LaunchRequest): ProcessLaunch | LaunchFailure {
    const python = resolvePython(fn, binaries);
    if (python.problem) return { initError: noInterpreter(fn, python) };
    const env: Record<string, string> = { [LOG_FD_ENV]: String(LOG_FD) };
    // Frozen standard-library modules would hide their source from the debugger.
    const args = debug ? ['-Xfrozen_modules=off'] : [];
    if (debug) env[WAIT_FOR_DEBUGGER_ENV] = '1';
    return { command: python.path, args: [...args, locateBootstrap('python')], env, binDir: path.dirname(python.path), logFd: LOG_FD };
  },

  binaryWarning(fn: FunctionConfig, binaries: Record<string, string>): string | undefined {
    const python = resolvePython(fn, binaries);
    const wanted = runtimeMinor(fn.runtime);
    const which = `${python.path}${python.version ? ` (Python ${python.version}, ${describe(python)})` : ''}`;
    if (python.problem) return `${fn.logicalId}: ${python.problem}. ${HOW_TO_CHOOSE(fn.runtime)}`;
    const notes: string[] = [];
    if (wanted && python.minor !== wanted) {
      notes.push(`runtime ${fn.runtime} runs on ${which}; use a Python ${wanted} interpreter for full fidelity: ${HOW_TO_CHOOSE(fn.runtime)}`);
    } else if (python.origin !== 'PATH') {
      notes.push(`runtime ${fn.runtime} runs on ${which}`);
    }
    if (python.hasBoto3 === false) {
      notes.push(
        `boto3 is part of the ${fn.runtime} managed runtime but ${python.path} cannot import it: install it there ` +
          `(pip install boto3 in the virtual environment, or apt-get install python3-boto3 for Debian's /usr/bin/python3) or pick another interpreter`,
      );
    }
    return notes.length ? `${fn.logicalId}: ${notes.join('; ')}.` : undefined;
  },

  stderrMeaning(line: string): StderrMeaning {
    const listening = DEBUGPY_LISTENING.exec(line);
    if (listening) return { kind: 'debugger-ready', url: `tcp://${listening[1]}` };
    return { kind: 'log' };
  },

  locateHandler: locatePythonHandler,
};

const HOW_TO_CHOOSE = (runtime: string) => `set lambdaLab.pythonBinaries or pass --python ${runtime}=PATH, or create the project's .venv with it`;

function describe(python: PythonInterpreter): string {
  return python.origin === 'PATH' ? 'python3 on PATH' : python.origin === 'configured' ? 'configured' : `the ${python.origin}`;
}

function noInterpreter(fn: FunctionConfig, python: PythonInterpreter): FunctionErrorBody {
  const errorType = 'Runtime.InvalidEntrypoint';
  const errorMessage = `No Python interpreter for ${fn.runtime}: ${python.problem}. Install Python ${runtimeMinor(fn.runtime) ?? '3'}, or ${HOW_TO_CHOOSE(fn.runtime)}.`;
  return { errorType, payload: Buffer.from(JSON.stringify({ errorType, errorMessage })) };
}
