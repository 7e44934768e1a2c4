// Who owns a lock or a temp file: a process id plus that process's start time, so a pid the
// system reused for another process is not mistaken for the owner. Temp names carry the
// identity, so the next Lambda Lab process can tell leftovers of a killed one from work in flight.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** Start time of a process in clock ticks since boot (Linux); 0 where /proc is not available. */
export function processStartTime(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' && process.platform === 'linux' ? undefined : 0;
  }
  // The command name (field 2) may hold spaces and parentheses; fields after the last ')' start at 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[22 - 3]);
}

const SELF = `${process.pid}-${processStartTime(process.pid) ?? 0}`;

/** `pid-starttime` of this process. */
export function selfIdentity(): string {
  return SELF;
}

/** Whether the process named by `pid-starttime` still runs (start 0: compare pids only). */
export function isAlive(identity: string): boolean {
  const m = /^(\d+)-(\d+)$/.exec(identity);
  if (!m) return false;
  const pid = Number(m[1]);
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const start = Number(m[2]);
  if (start === 0) return true;
  const now = processStartTime(pid);
  return now === undefined ? false : now === 0 || now === start;
}

/** A sibling of `target` for writing before an atomic rename: `<target>.<pid-start>.<random>.tmp`. */
export function tempPathFor(target: string): string {
  return `${target}.${SELF}.${randomBytes(4).toString('hex')}.tmp`;
}

/** The owner identity encoded in a temp name made by tempPathFor, if it is one. */
export function tempOwner(name: string): string | undefined {
  return /\.(\d+-\d+)\.[0-9a-f]{8}\.tmp$/.exec(name)?.[1];
}
