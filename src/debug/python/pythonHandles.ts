// Ids the user's session hands out for what each debugpy owns (frames, variable references,
// sources): debugpy numbers them per process, so two Python environments (and the
// Node side) would collide. Ours are unique in the session, above the Node session's range;
// frames and variables die when their thread runs again, as DAP says.
import type { PythonThread } from './pythonThread';

/** Above every handle the Node side hands out (it counts up from 1). */
const HANDLE_BASE = 1 << 28;

interface Remote {
  thread: PythonThread;
  remote: number;
}

export class PythonHandles {
  private next = HANDLE_BASE;
  private readonly frames = new Map<number, Remote>();
  private readonly variableRefs = new Map<number, Remote>();
  private readonly sources = new Map<number, Remote>();

  frame(thread: PythonThread, remote: number): number {
    return this.add(this.frames, thread, remote);
  }

  frameOf(id: number): Remote | undefined {
    return this.frames.get(id);
  }

  /** 0 stays 0: "no children". */
  variables(thread: PythonThread, remote: number): number {
    return remote ? this.add(this.variableRefs, thread, remote) : 0;
  }

  variablesOf(id: number): Remote | undefined {
    return this.variableRefs.get(id);
  }

  source(thread: PythonThread, remote: number): number {
    return this.add(this.sources, thread, remote);
  }

  sourceOf(id: number | undefined): Remote | undefined {
    return id === undefined ? undefined : this.sources.get(id);
  }

  /** The thread ran on: its frames and variable references are void. */
  forgetPause(thread: PythonThread): void {
    for (const table of [this.frames, this.variableRefs]) {
      for (const [id, entry] of table) if (entry.thread === thread) table.delete(id);
    }
  }

  forgetThread(thread: PythonThread): void {
    this.forgetPause(thread);
    for (const [id, entry] of this.sources) if (entry.thread === thread) this.sources.delete(id);
  }

  private add(table: Map<number, Remote>, thread: PythonThread, remote: number): number {
    const id = this.next++;
    table.set(id, { thread, remote });
    return id;
  }
}
