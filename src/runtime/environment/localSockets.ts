// Where this process's local (Unix) sockets live: one folder of its own under the temporary
// folder, made by us with mode 0700, so no other user can reach them (any local user can reach
// a loopback TCP port). Removed when the process exits, and by the owner's watchdog
// (ownerLifeline.ts) when it is killed.
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A socket's path must fit sun_path: 108 bytes on Linux, 104 on macOS. */
const MAX_SOCKET_PATH = 100;

/** This process's socket folder (made on first use). */
export const LOCAL_SOCKET_DIR = path.join(os.tmpdir(), `lambda-lab-${randomBytes(8).toString('hex')}`);

/** Made, or failed to be (sockets are an optimisation: TCP serves without them). */
let made: boolean | undefined;

/** A fresh socket path in this process's folder, or undefined where there is none to be had (Windows, a long temporary path). */
export function localSocketPath(): string | undefined {
  if (process.platform === 'win32') return undefined;
  if (made === undefined) {
    try {
      // Not recursive: a folder someone else made under this random name is not ours to use.
      mkdirSync(LOCAL_SOCKET_DIR, { mode: 0o700 });
      made = true;
      process.once('exit', () => rmSync(LOCAL_SOCKET_DIR, { recursive: true, force: true }));
    } catch {
      made = false;
    }
  }
  const socket = path.join(LOCAL_SOCKET_DIR, `${randomBytes(6).toString('hex')}.sock`);
  return made && Buffer.byteLength(socket) <= MAX_SOCKET_PATH ? socket : undefined;
}
