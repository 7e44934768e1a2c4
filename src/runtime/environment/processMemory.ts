// Memory figures of a handler process from /proc (Linux), as Lambda measures its sandbox.
import * as fs from 'node:fs';

const PAGE_MB = 4096 / (1024 * 1024);

/** Current resident set size in MB, or undefined when the process is gone. Cheap: one small read. */
export function residentMB(pid: number): number | undefined {
  try {
    const statm = fs.readFileSync(`/proc/${pid}/statm`, 'latin1');
    return Number(statm.split(' ')[1]) * PAGE_MB;
  } catch {
    return undefined;
  }
}

/** Peak resident set size (VmHWM) in MB over the process's life. */
export function peakResidentMB(pid: number): number | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'latin1');
    const m = /VmHWM:\s+(\d+) kB/.exec(status);
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}
