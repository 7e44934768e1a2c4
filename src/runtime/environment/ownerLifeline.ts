// Handler processes must never outlive the Lambda Lab process that started them (the owner:
// CLI, serve, the debug adapter, the extension host), whatever ends it — kill -9 included,
// which runs no cleanup code at all. So the cleanup is not the owner's to run: on the first
// environment, the owner starts a watchdog, a small node process in a session of its own
// (no terminal signal reaches it), holding the read end of a pipe whose only write end the
// owner holds. The kernel closes that end when the owner dies, however it dies; the
// watchdog then sweeps every sandbox carrying the owner's token (processSandbox), frozen
// ones included, removes the owner's socket folder (localSockets.ts), and exits. While the
// owner lives, the watchdog also sweeps single environments on request, so /proc is scanned
// off the owner's event loop.
import { spawn, type ChildProcess } from 'node:child_process';
import * as crypto from 'node:crypto';
import { LOCAL_SOCKET_DIR } from './localSockets';
import { sweepSandboxes } from './processSandbox';

/** Identifies this owner's sandboxes in their SANDBOX_ENV marker. */
export const OWNER_TOKEN = crypto.randomBytes(8).toString('hex');

/**
 * The watchdog's program, run with `node -e`: it receives `leader <pid>` when an environment's
 * process starts and `sweep <marker> <leader pid>` when it ends, and at end of input (the owner
 * is gone) sweeps everything of the owner, the sessions of every leader it was told of
 * included: a handler that dies at the same moment as its owner (its output pipes broke) must
 * not take the knowledge of its session with it. Signals that end the owner's terminal session
 * do not end it before it has swept.
 */
function watchdogMain(ownerToken: string, sweep: typeof sweepSandboxes, socketDir: string): void {
  let buffered = '';
  let done = false;
  /** Handler processes of live environments: their sessions and groups go too, even once they died. */
  const leaders = new Set<number>();
  const finish = () => {
    if (done) return;
    done = true;
    sweep(`${ownerToken}/`, [...leaders]);
    (require('node:fs') as typeof import('node:fs')).rmSync(socketDir, { recursive: true, force: true });
    process.exit(0);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, finish);
  process.stdin.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) {
      const [verb, marker, leader] = line.split(' ');
      if (verb === 'leader') leaders.add(Number(marker));
      if (verb !== 'sweep' || !marker?.startsWith(`${ownerToken}/`)) continue;
      sweep(marker, leader ? [Number(leader)] : []);
      leaders.delete(Number(leader));
    }
  });
  process.stdin.on('end', finish);
  process.stdin.on('error', finish);
}

/**
 * The two functions' own compiled text. Compiled with esbuild's keepNames (as tsx does), named
 * inner functions are wrapped in `__name(fn, name)`: the program defines it as the identity.
 */
const WATCHDOG_SOURCE =
  `const __name = (fn) => fn;\n` +
  `(${watchdogMain.toString()})(${JSON.stringify(OWNER_TOKEN)}, ${sweepSandboxes.toString()}, ${JSON.stringify(LOCAL_SOCKET_DIR)})`;

let watchdog: ChildProcess | undefined;

/** Starts this owner's watchdog unless it runs (again, if something killed it). */
export function ensureLifeline(): void {
  if (watchdogAlive()) return;
  // One V8 worker thread is plenty for it (Electron's node mode may not take the flag).
  const flags = process.versions.electron ? [] : ['--v8-pool-size=1'];
  const child = spawn(process.execPath, [...flags, '-e', WATCHDOG_SOURCE], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
    // Inside VS Code, execPath is Electron: this makes it a plain node.
    env: { ELECTRON_RUN_AS_NODE: '1' },
  });
  child.on('error', () => {
    if (watchdog === child) watchdog = undefined;
  });
  child.stdin!.on('error', () => {
    // The watchdog died: the next environment starts another; sweeps meanwhile run here.
  });
  // Neither the watchdog nor its pipe may keep the owner alive.
  child.unref();
  (child.stdin as unknown as { unref?: () => void }).unref?.();
  watchdog = child;
}

/** Tells the watchdog of a new environment's process (the leader of its session and group). */
export function registerSandbox(leader: number): void {
  if (watchdogAlive()) watchdog!.stdin!.write(`leader ${leader}\n`);
}

/**
 * Kills one environment's sandbox: its process group now (one atomic signal), then everything
 * else carrying its marker, through the watchdog (or here, if there is none).
 */
export function killSandbox(marker: string, leader: number | undefined): void {
  if (leader) {
    try {
      process.kill(-leader, 'SIGKILL');
    } catch {
      // the group is empty already
    }
  }
  if (watchdogAlive()) watchdog!.stdin!.write(`sweep ${marker} ${leader ?? ''}\n`);
  else sweepSandboxes(marker, leader ? [leader] : []);
}

function watchdogAlive(): boolean {
  return !!watchdog && watchdog.exitCode === null && watchdog.signalCode === null && !!watchdog.stdin?.writable;
}
