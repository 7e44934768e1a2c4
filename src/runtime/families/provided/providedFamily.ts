// OS-only runtimes (provided, provided.al2, provided.al2023): Lambda runs the function's own
// `bootstrap` executable, else a layer's /opt/bootstrap, and it speaks the Runtime API itself.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { invalidEntrypoint } from '../../errors/functionErrors';
import { OS_ONLY_RUNTIMES } from '../../template/supportedRuntimes';
import type { LaunchFailure, LaunchRequest, ProcessLaunch, RuntimeFamily } from '../runtimeFamily';

export const providedFamily: RuntimeFamily = {
  name: 'provided',
  runtimes: OS_ONLY_RUNTIMES,
  debugBridge: 'none',
  sourceLanguages: [],
  logCallSites: false,

  launcher: () => ({
    async launch({ fn, optDir }: LaunchRequest): Promise<ProcessLaunch | LaunchFailure> {
      const candidates = [path.join(fn.codeDir, 'bootstrap'), ...(optDir ? [path.join(optDir, 'bootstrap')] : [])];
      const found = candidates.find((p) => fs.existsSync(p));
      if (!found) return { initError: invalidEntrypoint(candidates) };
      return { command: found, args: [], env: {} };
    },
  }),

  stderrMeaning: () => ({ kind: 'log' }),
  // The handler is whatever the bootstrap makes of _HANDLER: no source location to point at.
  locateHandler: () => undefined,
};
