// Freezing an idle environment between invokes (SIGSTOP of its sandbox: the runtime's process
// group and each external extension's), as Lambda freezes it, so background work pauses;
// never while a debugger is attached. The freeze comes a
// short grace after the runtime client polls, and the thaw's SIGCONT is sent by the caller
// after the next event is written, so the process wakes once, with its event waiting.
import type { HandlerProcess } from './handlerProcess';

/** How long an idle environment keeps running before it is frozen (see freezeAfterGrace). */
const FREEZE_GRACE_MS = 2;

export interface FreezerHooks {
  /** Freezing is on (the runtime's `freeze` option). */
  enabled: boolean;
  process: () => HandlerProcess | undefined;
  /** The external extensions' processes, frozen and thawed with the runtime's. */
  extensions: () => readonly HandlerProcess[];
  /** The environment runs no code and has no invocation waiting. */
  idle: () => boolean;
  onFrozen: () => void;
  onThawed: () => void;
}

export class EnvironmentFreezer {
  private frozen = false;
  private debuggerAttached = false;
  private timer: NodeJS.Timeout | undefined;
  private ended = false;

  constructor(private readonly hooks: FreezerHooks) {}

  /**
   * Freezes FREEZE_GRACE_MS from now, unless an invocation arrives meanwhile. Back-to-back
   * callers (a promise continuation, the next HTTP request through `serve`) invoke again
   * within a fraction of that, and freezing in between would cost a SIGSTOP/SIGCONT pair and
   * two wake-ups for nothing. One timer per environment, refreshed.
   */
  freezeAfterGrace(): void {
    if (this.timer) this.timer.refresh();
    else {
      this.timer = setTimeout(() => this.freeze(), FREEZE_GRACE_MS);
      this.timer.unref();
    }
  }

  freeze(): void {
    const process = this.hooks.process();
    if (!this.hooks.enabled || this.ended || this.debuggerAttached || this.frozen || !process || !this.hooks.idle()) return;
    if (!process.freeze()) return; // already gone: its exit follows
    for (const extension of this.hooks.extensions()) extension.freeze();
    this.frozen = true;
    this.hooks.onFrozen();
  }

  /** Records the thaw; true when the sandbox is stopped and owed a SIGCONT (the caller sends it: resume). */
  markThawed(): boolean {
    if (!this.frozen || !this.hooks.process()) return false;
    this.frozen = false;
    this.hooks.onThawed();
    return true;
  }

  /** SIGCONT to the whole sandbox. */
  resume(): void {
    this.hooks.process()?.thaw();
    for (const extension of this.hooks.extensions()) extension.thaw();
  }

  thaw(): void {
    if (this.markThawed()) this.resume();
  }

  setDebuggerAttached(attached: boolean): void {
    this.debuggerAttached = attached;
    if (attached) this.thaw();
    else if (this.hooks.idle()) this.freeze();
  }

  /**
   * The environment is ending: no more freezing, and frozen extensions are thawed for their
   * SHUTDOWN (the runtime's process thaws itself to drain, and SIGKILL ends it stopped or not).
   */
  end(): void {
    clearTimeout(this.timer);
    this.ended = true;
    if (this.frozen) for (const extension of this.hooks.extensions()) extension.thaw();
    this.frozen = false;
  }
}
