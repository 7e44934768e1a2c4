// The user's breakpoints in .py files: kept by the session (Python environments come and go,
// each binds them all before its init runs), with ids of our own, and per environment the
// ids its debugpy gave them. A breakpoint is verified once any environment bound it.
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { PythonThread } from './pythonThread';

/** Above the Node session's breakpoint ids, so the two never collide. */
const BREAKPOINT_ID_BASE = 1 << 29;

export interface PythonBreakpoint {
  id: number;
  spec: DebugProtocol.SourceBreakpoint;
  verified: boolean;
  /** Where it bound (debugpy may move it to the next line with code). */
  line?: number;
  message?: string;
}

export class PythonBreakpoints {
  private readonly byFile = new Map<string, PythonBreakpoint[]>();
  /** Per environment: debugpy's breakpoint id → ours. */
  private readonly remoteIds = new Map<PythonThread, Map<number, PythonBreakpoint>>();
  private nextId = BREAKPOINT_ID_BASE;

  /** A file's new list, as setBreakpoints gives it; a breakpoint on the same line keeps its id. */
  set(file: string, specs: DebugProtocol.SourceBreakpoint[], message: string): PythonBreakpoint[] {
    const previous = this.byFile.get(file) ?? [];
    const bps = specs.map((spec) => ({
      id: previous.find((p) => p.spec.line === spec.line)?.id ?? this.nextId++,
      spec,
      verified: false,
      message,
    }));
    this.byFile.set(file, bps);
    return bps;
  }

  /** Every file's breakpoints as debugpy's setBreakpoints takes them. */
  specs(): Map<string, DebugProtocol.SourceBreakpoint[]> {
    return new Map([...this.byFile].map(([file, bps]) => [file, bps.map((bp) => bp.spec)]));
  }

  unverified(): PythonBreakpoint[] {
    return [...this.byFile.values()].flat().filter((bp) => !bp.verified);
  }

  /** One environment's answer for a file (in the order the breakpoints were sent); returns the breakpoints that changed. */
  bound(thread: PythonThread, file: string, results: DebugProtocol.Breakpoint[]): PythonBreakpoint[] {
    const bps = this.byFile.get(file) ?? [];
    const ids = this.idsOf(thread);
    return results.flatMap((result, i) => {
      const bp = bps[i];
      if (!bp) return [];
      if (result.id !== undefined) ids.set(result.id, bp);
      return this.apply(bp, result) ? [bp] : [];
    });
  }

  /** debugpy changed a breakpoint after answering (bound it later, moved it); the breakpoint if ours changed. */
  changed(thread: PythonThread, result: DebugProtocol.Breakpoint): PythonBreakpoint | undefined {
    const bp = result.id === undefined ? undefined : this.remoteIds.get(thread)?.get(result.id);
    return bp && this.apply(bp, result) ? bp : undefined;
  }

  /** Our ids for the breakpoints debugpy says were hit. */
  ours(thread: PythonThread, remote: number[]): number[] {
    const ids = this.remoteIds.get(thread);
    return remote.flatMap((id) => {
      const bp = ids?.get(id);
      return bp ? [bp.id] : [];
    });
  }

  forgetThread(thread: PythonThread): void {
    this.remoteIds.delete(thread);
  }

  static toClient(bp: PythonBreakpoint): DebugProtocol.Breakpoint {
    return { id: bp.id, verified: bp.verified, line: bp.line ?? bp.spec.line, message: bp.verified ? undefined : bp.message };
  }

  private idsOf(thread: PythonThread): Map<number, PythonBreakpoint> {
    let ids = this.remoteIds.get(thread);
    if (!ids) this.remoteIds.set(thread, (ids = new Map()));
    return ids;
  }

  /** Takes debugpy's verification and line; whether the user's view of the breakpoint changed. */
  private apply(bp: PythonBreakpoint, result: DebugProtocol.Breakpoint): boolean {
    const before = JSON.stringify(PythonBreakpoints.toClient(bp));
    if (result.verified) {
      bp.verified = true;
      bp.line = result.line ?? bp.spec.line;
    } else if (!bp.verified && result.message) {
      bp.message = result.message;
    }
    return JSON.stringify(PythonBreakpoints.toClient(bp)) !== before;
  }
}
