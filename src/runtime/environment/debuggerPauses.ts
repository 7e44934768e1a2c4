// Time an environment's process spent stopped by a debugger (breakpoints, steps, pause). Lambda's
// Duration of a debugged invoke includes it, so results report it apart. The debugger says when
// a stop it shows begins and ends; the environment asks, when an invocation finishes, how much of
// the invocation's span was stopped. Both sides are in one process, so nothing can arrive late:
// the debugger ends a stop before it lets the process run, hence before the process can answer.
const KEEP_INTERVALS = 64;

export class DebuggerPauses {
  private intervals: Array<{ from: number; to: number }> = [];
  /** performance.now() when the current stop began. */
  private since: number | undefined;

  stopped(at = performance.now()): void {
    this.since ??= at;
  }

  resumed(at = performance.now()): void {
    if (this.since === undefined) return;
    this.intervals.push({ from: this.since, to: at });
    if (this.intervals.length > KEEP_INTERVALS) this.intervals.shift();
    this.since = undefined;
  }

  /** Milliseconds stopped within [from, to] (performance.now() clock); stops that ended before `to` are then forgotten. */
  takeWithin(from: number, to: number): number {
    const overlap = (a: number, b: number) => Math.max(0, Math.min(b, to) - Math.max(a, from));
    let ms = this.intervals.reduce((sum, i) => sum + overlap(i.from, i.to), 0);
    if (this.since !== undefined) ms += overlap(this.since, to);
    this.intervals = this.intervals.filter((i) => i.to > to);
    return ms;
  }
}
