// What the session needs of a thread, whatever debugs its process: one execution environment
// under the debugger, its breakpoints, exception filter and execution control, and the
// callbacks it makes. Node's inspector bridge (environmentThread) is one kind; another
// language's debugger bridge is another implementation of the same interface.
import type { EnvironmentInfo } from '../runtime/runtimeEvents';
import type { UserBreakpoint } from './breakpoints';

export type ExceptionState = 'none' | 'uncaught' | 'all';

export type StepKind = 'over' | 'into' | 'out';

export interface StopInfo {
  reason: string;
  description?: string;
  text?: string;
  hitBreakpointIds?: number[];
}

export interface DebugThread {
  readonly id: number;
  /** `Function $LATEST #1`: the function, version and environment ordinal. */
  readonly name: string;
  readonly environment: EnvironmentInfo;
  readonly isEnded: boolean;
  /** Stopped, showing the user where (not the short pauses the thread takes on its own). */
  readonly isPaused: boolean;
  /** Binds every breakpoint, then lets the waiting process run its init. */
  start(): Promise<void>;
  updateBreakpoints(added: UserBreakpoint[], removed: UserBreakpoint[]): Promise<void>;
  setExceptionState(state: ExceptionState): Promise<unknown>;
  resume(): Promise<void>;
  step(kind: StepKind): Promise<void>;
  pause(): Promise<unknown>;
  /** Stops debugging: breakpoints removed, process running on its own. */
  detach(): Promise<void>;
  /** The process is gone: the thread ends without talking to it. */
  end(): void;
}

export interface ThreadListener {
  stopped(thread: DebugThread, info: StopInfo): void;
  breakpointBound(bp: UserBreakpoint, line: number): void;
  logpoint(bp: UserBreakpoint, text: string): void;
  /** `wasPaused`: the thread ended while stopped (its process died under the debugger). */
  ended(thread: DebugThread, wasPaused: boolean): void;
  /**
   * A stop shown to the user began (`true`) or ended: time an invoke spends paused. A stop ends
   * before the thread asks its process to run again, so the runtime knows of it before the
   * process can answer its invocation.
   */
  pausedChanged(environmentId: string, paused: boolean): void;
}
