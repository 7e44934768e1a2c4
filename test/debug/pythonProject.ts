// The Python debug fixture as a project the adapter runs as a user's: a private copy whose
// `.venv` is Debian's python3 with its packages (debugpy, boto3) visible.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PYTHON, pythonMissing } from '../integration/pythonHarness';

const FIXTURE = path.resolve(__dirname, '../fixtures/python/debug');

/** Lines of the fixture's src/app.py: module-level init, the handler's first line. */
export const PY_INIT_LINE = 4;
export const PY_HANDLER_LINE = 9;

/** `systemPackages: false`: a bare virtual environment, without debugpy. */
export function pythonProjectWithVenv(systemPackages = true): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lambda-lab-pydebug-'));
  cpSync(FIXTURE, dir, { recursive: true });
  mkdirSync(path.join(dir, '.venv', 'bin'), { recursive: true });
  writeFileSync(
    path.join(dir, '.venv', 'pyvenv.cfg'),
    `home = ${path.dirname(PYTHON)}\ninclude-system-site-packages = ${systemPackages}\n`,
  );
  symlinkSync(PYTHON, path.join(dir, '.venv', 'bin', 'python3'));
  return dir;
}

/** Why Python functions cannot be debugged here, or undefined. */
export function debugpyMissing(): string | undefined {
  return (
    pythonMissing() ??
    (spawnSync(PYTHON, ['-c', 'import debugpy']).status === 0 ? undefined : `${PYTHON} has no debugpy (apt-get install python3-debugpy)`)
  );
}
