// The handler process of one environment as the environment sees it: spawn, freeze/thaw,
// kill, exit, memory, output lines. ExecutionEnvironment drives its lifecycle through this
// interface only, so a unit test can hand it a fake process.
//
// The real one runs in a sandbox of its own (processSandbox): leader of its own session and
// process group, marked with SANDBOX_ENV. Freezing stops the whole group, as Lambda freezes
// the whole sandbox; every way it ends — crash, exit, kill — ends the whole sandbox; and the
// owner's lifeline ends it if the owner dies first.
import { spawn, type ChildProcess } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { ensureLifeline, killSandbox, OWNER_TOKEN, registerSandbox } from './ownerLifeline';
import { SANDBOX_ENV } from './processSandbox';
import { peakResidentMB, residentMB } from './processMemory';
import { splitLines } from './outputLines';

/** stdout and stderr are the function's output; `log` is the bootstrap's structured channel. */
export type OutputChannel = 'stdout' | 'stderr' | 'log';

export interface HandlerProcessSpec {
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  /** Descriptor (≥ 3) of the structured log channel, if the family's bootstrap writes one. */
  logFd?: number;
  /** Descriptor (≥ 3) on which a pre-started bootstrap waits for handover() (prestartedProcesses). */
  handoverFd?: number;
}

export interface HandlerProcessEvents {
  onLine(channel: OutputChannel, line: string): void;
  /**
   * Once, when the process has ended and its output is read. `description` in Go's words, as
   * Lambda prints it: `exit status 1`, `signal: killed`, or why it could not start.
   */
  onExit(description: string): void;
}

export interface HandlerProcess {
  readonly pid: number | undefined;
  /** Stops every process of the sandbox (SIGSTOP); false when there is none to stop. */
  freeze(): boolean;
  thaw(): void;
  /** Ends the whole sandbox now (SIGKILL, which also ends stopped processes); onExit follows. */
  kill(): void;
  /** Asks the process itself to end (thawed, then SIGTERM), as Lambda's graceful shutdown does. */
  terminate?(): void;
  /**
   * Lets the process end on its own while its output is read (after its Runtime API went
   * away, a runtime client flushes and exits); kills it once the output has been quiet for a
   * while, or after a bound.
   */
  drain(): void;
  /** Resident set size now, in MB; undefined once the process is gone. */
  residentMB(): number | undefined;
  /** Peak resident set size so far, in MB; undefined once the process is gone. */
  peakResidentMB(): number | undefined;
  /** Gives a pre-started process (spawned with handoverFd) the environment and folder a spawn would have. */
  handover?(env: Record<string, string>, cwd: string): void;
}

export type SpawnHandlerProcess = (spec: HandlerProcessSpec, events: HandlerProcessEvents) => HandlerProcess;

/** Output quiet this long after the process exited (or while draining): nothing more is coming. */
const QUIET_MS = 250;
/** A quiet check this late means our own loop was busy, with output maybe unread in the pipes. */
const LATE_MS = 50;
/** A draining process that keeps writing is killed after this. */
const DRAIN_LIMIT_MS = 5_000;

export const spawnHandlerProcess: SpawnHandlerProcess = (spec, events) => new ChildHandlerProcess(spec, events);

class ChildHandlerProcess implements HandlerProcess {
  private readonly child: ChildProcess;
  private readonly marker = `${OWNER_TOKEN}/${crypto.randomBytes(16).toString('hex')}`;
  private description = '';
  private ended = false;
  private swept = false;
  /** performance.now() of the last output read (or of the exit). */
  private lastOutputAt = 0;
  /** After exit or while draining: what to do once nothing more is coming. */
  private onQuiet: (() => void) | undefined;
  private quietTimer: NodeJS.Timeout | undefined;
  /** CPU ticks the process had used at the last quiet check (drain). */
  private cpuTicks = -1;

  constructor(
    spec: HandlerProcessSpec,
    private readonly events: HandlerProcessEvents,
  ) {
    ensureLifeline();
    const pipes = Math.max(2, spec.logFd ?? 0, spec.handoverFd ?? 0);
    this.child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: { ...spec.env, [SANDBOX_ENV]: this.marker },
      stdio: ['ignore', ...Array<'pipe'>(pipes).fill('pipe')],
      detached: true,
    });
    if (this.child.pid !== undefined) registerSandbox(this.child.pid);
    this.child.on('error', (err) => {
      this.description = `Runtime failed to start: ${err.message}`;
      this.end();
    });
    this.child.on('exit', (code, signal) => {
      this.description = signal ? `signal: ${signalName(signal)}` : `exit status ${code}`;
      // Whatever it started goes with it, as Lambda ends the whole sandbox.
      this.sweep();
      // 'close' waits for every output pipe, which an escaped process may hold open forever.
      this.whenQuiet(() => this.end());
    });
    this.child.on('close', () => this.end());
    this.readLines(this.child.stdout, 'stdout');
    this.readLines(this.child.stderr, 'stderr');
    if (spec.logFd) this.readLines(this.child.stdio[spec.logFd] as Readable, 'log');
    this.handoverFd = spec.handoverFd;
    // A process killed before it read its handover resets the pipe: its exit is reported by 'exit', not here.
    if (spec.handoverFd !== undefined) (this.child.stdio[spec.handoverFd] as Writable | null)?.on('error', () => undefined);
  }

  private readonly handoverFd: number | undefined;

  handover(env: Record<string, string>, cwd: string): void {
    const pipe = this.handoverFd === undefined ? undefined : (this.child.stdio[this.handoverFd] as Writable | null);
    if (!pipe) throw new Error('this handler process was not started to wait for a handover');
    // The sandbox marker stays: it is how everything the handler starts is found and ended with it.
    pipe.end(JSON.stringify({ env: { ...env, [SANDBOX_ENV]: this.marker }, cwd }));
  }

  get pid() {
    return this.child.pid;
  }

  private get running() {
    return this.child.exitCode === null && this.child.signalCode === null && this.child.pid !== undefined;
  }

  freeze(): boolean {
    return this.signalGroup('SIGSTOP');
  }

  thaw(): void {
    this.signalGroup('SIGCONT');
  }

  kill(): void {
    if (this.ended) return;
    this.sweep();
  }

  terminate(): void {
    if (!this.running) return;
    this.thaw();
    try {
      process.kill(this.child.pid!, 'SIGTERM');
    } catch {
      // already gone: 'exit' follows
    }
  }

  drain(): void {
    if (this.ended) return;
    this.thaw();
    // Quiet output alone is no proof: a process flushing a queue may just be waiting for a CPU.
    // It is idle (and will not exit by itself) when it also used no CPU and is not runnable.
    this.whenQuiet(() => (this.progressing() ? this.whenQuiet(this.onQuiet!) : this.kill()));
    setTimeout(() => this.kill(), DRAIN_LIMIT_MS).unref();
  }

  residentMB(): number | undefined {
    return this.running ? residentMB(this.child.pid!) : undefined;
  }

  peakResidentMB(): number | undefined {
    return this.running ? peakResidentMB(this.child.pid!) : undefined;
  }

  private signalGroup(signal: NodeJS.Signals): boolean {
    if (!this.running) return false;
    try {
      process.kill(-this.child.pid!, signal);
      return true;
    } catch {
      return false; // already gone: 'exit' follows
    }
  }

  private sweep() {
    if (this.swept || this.child.pid === undefined) return;
    this.swept = true;
    killSandbox(this.marker, this.child.pid);
  }

  /** Runs `action` once no output has come for QUIET_MS; 'exit' replaces a drain's action with its own. */
  private whenQuiet(action: () => void, delay = QUIET_MS) {
    this.onQuiet = action;
    this.lastOutputAt = performance.now();
    clearTimeout(this.quietTimer);
    const due = performance.now() + delay;
    this.quietTimer = setTimeout(() => {
      const now = performance.now();
      const quietFor = now - this.lastOutputAt;
      // Late: our loop was busy and the pipes may hold output not read yet; look again after the poll phase.
      if (now - due > LATE_MS || quietFor < QUIET_MS) return this.whenQuietAgain(Math.max(1, QUIET_MS - quietFor));
      this.onQuiet?.();
    }, delay);
    this.quietTimer.unref();
  }

  private whenQuietAgain(delay: number) {
    const lastOutputAt = this.lastOutputAt;
    this.whenQuiet(this.onQuiet!, delay);
    this.lastOutputAt = lastOutputAt;
  }

  /** The process used CPU since the last look, or is runnable now. */
  private progressing(): boolean {
    try {
      const stat = fs.readFileSync(`/proc/${this.child.pid}/stat`, 'latin1');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime
      const progressed = ticks !== this.cpuTicks || fields[0] === 'R';
      this.cpuTicks = ticks;
      return progressed;
    } catch {
      return false; // gone
    }
  }

  private end() {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.quietTimer);
    this.events.onExit(this.description || 'exit status 0');
  }

  private readLines(stream: Readable | null, channel: OutputChannel) {
    if (!stream) return;
    stream.on('data', () => (this.lastOutputAt = performance.now()));
    splitLines(stream, (line) => {
      if (!this.ended) this.events.onLine(channel, line);
    });
  }
}

/** Go's names, as Lambda prints `Runtime exited with error: signal: killed`. */
function signalName(signal: NodeJS.Signals): string {
  const names: Partial<Record<NodeJS.Signals, string>> = {
    SIGKILL: 'killed',
    SIGABRT: 'aborted (core dumped)',
    SIGSEGV: 'segmentation fault',
    SIGTERM: 'terminated',
  };
  return names[signal] ?? signal;
}
