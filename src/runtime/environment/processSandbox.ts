// Which processes make up an environment's sandbox, and ending every one of them. Lambda tears
// a sandbox down whole; Lambda Lab has no container, so a sandbox is recognised three ways:
//  - the handler process leads its own session and process group (spawned detached), and
//    whatever it starts inherits both unless it leaves them (setsid);
//  - every process of the sandbox carries the SANDBOX_ENV marker in its environment, which
//    children inherit even after their parent died (re-parented, they are no longer
//    descendants) unless they are started with a cleared environment;
//  - descendants of any of those, whatever their session or environment.
// Only a process that both leaves the session and clears its environment, then loses its
// parent, escapes: this is hygiene, not a security boundary (handlers run as the user).

/** `<owner token>/<environment token>`: one owner's sandboxes share the prefix. */
export const SANDBOX_ENV = 'LAMBDA_LAB_SANDBOX';

/**
 * SIGKILLs every live process whose marker starts with `markerPrefix`, every member of the
 * sessions and groups those lead or that `leaders` name, and all their descendants; repeats
 * until a pass finds none (a process may fork while we kill). SIGKILL also ends stopped
 * (frozen) processes. Returns how many processes it signalled. `procDir` and `kill` are for tests.
 *
 * Self-contained (no imports, no outer names): the owner's lifeline watchdog runs this very
 * function from its source text, in a process of its own.
 */
export function sweepSandboxes(
  markerPrefix: string,
  leaders: number[],
  procDir = '/proc',
  kill: (pid: number) => void = (pid) => process.kill(pid, 'SIGKILL'),
): number {
  const fs = require('node:fs') as typeof import('node:fs');
  const needle = Buffer.from(`\0LAMBDA_LAB_SANDBOX=${markerPrefix}`);
  const self = process.pid;
  let signalled = 0;
  // Kept across passes: a leader killed in one pass may have started a child just before.
  const heads = new Set(leaders);
  for (let pass = 0; pass < 5; pass++) {
    const procs: Array<{ pid: number; ppid: number; pgid: number; sid: number }> = [];
    let entries: string[];
    try {
      entries = fs.readdirSync(procDir);
    } catch {
      return signalled;
    }
    for (const entry of entries) {
      if (!/^\d+$/.test(entry) || Number(entry) === self) continue;
      try {
        // `pid (comm) state ppid pgrp session ...`; comm may hold spaces and parentheses.
        const stat = fs.readFileSync(`${procDir}/${entry}/stat`, 'latin1');
        const [state, ppid, pgid, sid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        if (state === 'Z' || state === 'X') continue;
        procs.push({ pid: Number(entry), ppid: Number(ppid), pgid: Number(pgid), sid: Number(sid) });
      } catch {
        // exited while we looked
      }
    }
    const doomed = new Set<number>();
    const marked = (pid: number) => {
      try {
        // The environment block starts without a NUL before its first variable.
        const environ = Buffer.concat([Buffer.from([0]), fs.readFileSync(`${procDir}/${pid}/environ`)]);
        return environ.includes(needle);
      } catch {
        return false;
      }
    };
    for (const p of procs) if (marked(p.pid)) doomed.add(p.pid);
    for (const p of procs) if (doomed.has(p.pid) && (p.sid === p.pid || p.pgid === p.pid)) heads.add(p.pid);
    for (const p of procs) if (heads.has(p.sid) || heads.has(p.pgid)) doomed.add(p.pid);
    // Descendants, to a fixed point (a child may be listed before its parent).
    for (let grew = true; grew;) {
      grew = false;
      for (const p of procs) {
        if (!doomed.has(p.pid) && doomed.has(p.ppid)) {
          doomed.add(p.pid);
          grew = true;
        }
      }
    }
    doomed.delete(self);
    if (!doomed.size) return signalled;
    for (const pid of doomed) {
      try {
        kill(pid);
        signalled++;
      } catch {
        // already gone
      }
    }
  }
  return signalled;
}
