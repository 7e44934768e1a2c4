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
import * as readline from 'node:readline';
import type { Readable } from 'node:stream';
import { ensureLifeline, killSandbox, OWNER_TOKEN } from './ownerLifeline';
import { SANDBOX_ENV } from './processSandbox';
import { peakResidentMB, residentMB } from './processMemory';

/** stdout and stderr are the function's output; `log` is the bootstrap's structured channel. */
export type OutputChannel = 'stdout' | 'stderr' | 'log';

export interface HandlerProcessSpec {
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  /** Descriptor (≥ 3) of the structured log channel, if the family's bootstrap writes one. */
  logFd?: number;
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
}

export type SpawnHandlerProcess = (spec: HandlerProcessSpec, events: HandlerProcessEvents) => HandlerProcess;

/** Output quiet this long after the process exited (or while draining): nothing more is coming. */
const QUIET_MS = 250;
/** A draining process that keeps writing is killed after this. */
const DRAIN_LIMIT_MS = 5_000;

export const spawnHandlerProcess: SpawnHandlerProcess = (spec, events) => new ChildHandlerProcess(spec, events);

class ChildHandlerProcess implements HandlerProcess {
  private readonly child: ChildProcess;
  private readonly marker = `${OWNER_TOKEN}/${crypto.randomBytes(16).toString('hex')}`;
  private description = '';
  private ended = false;
  private swept = false;
  /** Armed after exit or while draining: fires when output has been quiet for QUIET_MS. */
  private quietTimer: NodeJS.Timeout | undefined;

  constructor(spec: HandlerProcessSpec, private readonly events: HandlerProcessEvents) {
    ensureLifeline();
    const pipes = Math.max(2, spec.logFd ?? 0);
    this.child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: { ...spec.env, [SANDBOX_ENV]: this.marker },
      stdio: ['ignore', ...Array<'pipe'>(pipes).fill('pipe')],
      detached: true,
    });
    this.child.on('error', (err) => {
      this.description = `Runtime failed to start: ${err.message}`;
      this.end();
    });
    this.child.on('exit', (code, signal) => {
      this.description = signal ? `signal: ${signalName(signal)}` : `exit status ${code}`;
      // Whatever it started goes with it, as Lambda ends the whole sandbox.
      this.sweep();
      // 'close' waits for every output pipe, which an escaped process may hold open forever.
      this.awaitQuiet();
    });
    this.child.on('close', () => this.end());
    this.readLines(this.child.stdout, 'stdout');
    this.readLines(this.child.stderr, 'stderr');
    if (spec.logFd) this.readLines(this.child.stdio[spec.logFd] as Readable, 'log');
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

  drain(): void {
    if (this.ended) return;
    this.thaw();
    this.awaitQuiet();
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

  private awaitQuiet() {
    if (this.quietTimer) return this.quietTimer.refresh();
    this.quietTimer = setTimeout(() => (this.running ? this.kill() : this.end()), QUIET_MS);
    this.quietTimer.unref();
  }

  private end() {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.quietTimer);
    this.events.onExit(this.description || 'exit status 0');
  }

  private readLines(stream: Readable | null, channel: OutputChannel) {
    if (!stream) return;
    stream.on('data', () => this.quietTimer?.refresh());
    readline.createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
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
