// The session's side of breakpoints: the user's breakpoints from setBreakpoints, handed to every
// thread; the exception filter; and what the client is told about each breakpoint (not bound
// yet and why, or bound and where).
import { setTimeout as sleep } from 'node:timers/promises';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { FunctionConfig } from '../runtime/functionConfig';
import { BreakpointRegistry, unboundMessage, type UserBreakpoint } from './breakpoints';
import type { DebugThread, ExceptionState } from './debugThread';

/** How long setBreakpoints waits for running processes to bind before answering. */
const BIND_WAIT_MS = 1000;

/** What the breakpoints need of their session. */
export interface BreakpointSession {
  threads(): DebugThread[];
  /** The functions the session debugs (none before launch or attach). */
  debuggedFunctions(): FunctionConfig[];
  /** Whether the source maps found under `codeDir` have `file` as a source (false when maps are off). */
  mapsCover(codeDir: string, file: string): Promise<boolean>;
  /** Tells the client a breakpoint changed; `line` is counted from 1. */
  changed(bp: DebugProtocol.Breakpoint): void;
}

export class SessionBreakpoints {
  readonly registry = new BreakpointRegistry();
  exceptionState: ExceptionState = 'none';

  constructor(private readonly session: BreakpointSession) {}

  /** Replaces a file's breakpoints (lines from 1); answers once running threads bound them, or after a moment. */
  async setForFile(file: string, specs: DebugProtocol.SourceBreakpoint[]): Promise<DebugProtocol.Breakpoint[]> {
    const change = this.registry.setForSource(file, specs);
    for (const bp of change.added) bp.message ??= await this.unboundMessage(bp);
    const updates = this.session.threads().map((t) => t.updateBreakpoints(change.added, change.removed).catch(() => undefined));
    await Promise.race([Promise.all(updates), sleep(BIND_WAIT_MS, undefined, { ref: false })]);
    return change.all.map((bp) => BreakpointRegistry.toDap(bp));
  }

  /** DAP's exception filters (`all`, `uncaught`), applied to every thread. */
  setExceptionFilters(filters: string[]): void {
    this.exceptionState = filters.includes('all') ? 'all' : filters.includes('uncaught') ? 'uncaught' : 'none';
    for (const thread of this.session.threads()) void thread.setExceptionState(this.exceptionState);
  }

  /** A thread bound `bp` at `line` of its source (it may differ from the line the user set). */
  bound(bp: UserBreakpoint, line: number): void {
    if (bp.verified && bp.boundLine === line) return;
    bp.verified = true;
    bp.boundLine = line;
    this.session.changed(BreakpointRegistry.toDap(bp));
  }

  /** Breakpoints set before launch knew the function: tell the client which files it does not contain. */
  async refreshMessages(): Promise<void> {
    for (const bp of this.registry.all()) {
      if (bp.verified || !BreakpointRegistry.isBindable(bp)) continue;
      const message = await this.unboundMessage(bp);
      if (message === bp.message) continue;
      bp.message = message;
      this.session.changed(BreakpointRegistry.toDap(bp));
    }
  }

  private unboundMessage(bp: UserBreakpoint): Promise<string> {
    return unboundMessage(bp, this.session.debuggedFunctions(), (codeDir) => this.session.mapsCover(codeDir, bp.path));
  }
}
