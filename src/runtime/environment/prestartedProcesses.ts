// Pre-started handler processes: one process per command line (binary, flags, memory size, and
// the variables read only at start that the family carries) started ahead and waiting, so a
// cold start skips the process spawn. The waiting bootstrap has loaded nothing of any
// function; the environment takes it by handing over the variables and folder a spawn would
// have given (bootstrap/node/environmentHandover.ts, bootstrap/python/lambda_lab_bootstrap/
// handover.py), and the init phase then runs and is reported as after a spawn. Each process is
// an ordinary sandboxed handler process from its start: it dies with its owner like any other.
import { PRESTART_FD_ENV, PRESTART_WARM_DEBUGGER_ENV } from '../bootstrap/bootstrapProtocol';
import type { PrestartRules } from '../families/runtimeFamily';
import {
  spawnHandlerProcess,
  type HandlerProcess,
  type HandlerProcessEvents,
  type HandlerProcessSpec,
  type SpawnHandlerProcess,
} from './handlerProcess';

/** The descriptor the waiting bootstrap reads its handover from (after node's log channel, 3). */
const HANDOVER_FD = 4;
/** A replacement starts this long after one was taken, so its spawn does not slow the init that just began. */
const REFILL_DELAY_MS = 200;

interface Waiting {
  process: HandlerProcess;
  relay: Relay;
}

/** Forwards a waiting process's events to the environment that takes it. */
class Relay implements HandlerProcessEvents {
  target: HandlerProcessEvents | undefined;
  exited: string | undefined;
  constructor(private readonly onGone: () => void) {}
  onLine(channel: Parameters<HandlerProcessEvents['onLine']>[0], line: string) {
    this.target?.onLine(channel, line);
  }
  onExit(description: string) {
    this.exited = description;
    if (this.target) this.target.onExit(description);
    else this.onGone();
  }
}

export class PrestartedProcesses {
  private readonly waiting = new Map<string, Waiting>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private disposed = false;

  constructor(
    private readonly rules: PrestartRules,
    private readonly options: { warmDebugger?: boolean } = {},
    private readonly spawn: SpawnHandlerProcess = spawnHandlerProcess,
  ) {}

  /** A SpawnHandlerProcess for ExecutionEnvironment: a waiting process when one fits, else a spawn. */
  readonly take: SpawnHandlerProcess = (spec, events) => {
    const { skip } = this.rules;
    if (this.disposed || spec.logFd === undefined || (skip && Object.keys(spec.env).some((name) => skip.test(name)))) {
      return this.spawn(spec, events);
    }
    const key = this.keyOf(spec);
    const ready = this.waiting.get(key);
    this.waiting.delete(key);
    this.refillLater(spec);
    if (!ready || ready.relay.exited !== undefined || !ready.process.handover) return this.spawn(spec, events);
    ready.relay.target = events;
    ready.process.handover(spec.env, spec.cwd);
    return ready.process;
  };

  private refillLater(spec: HandlerProcessSpec) {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.startWaiting(spec);
    }, REFILL_DELAY_MS);
    timer.unref();
    this.timers.add(timer);
  }

  private startWaiting(spec: HandlerProcessSpec) {
    const key = this.keyOf(spec);
    if (this.disposed || this.waiting.has(key)) return;
    const relay = new Relay(() => {
      if (this.waiting.get(key)?.relay === relay) this.waiting.delete(key);
    });
    const process = this.spawn(
      {
        command: spec.command,
        args: spec.args,
        cwd: '/',
        // Nothing of any function but what its interpreter reads as it starts, and what lets the
        // bootstrap find its handover.
        env: {
          ...this.carried(spec),
          [PRESTART_FD_ENV]: String(HANDOVER_FD),
          ...(this.options.warmDebugger && { [PRESTART_WARM_DEBUGGER_ENV]: '1' }),
        },
        logFd: spec.logFd,
        handoverFd: HANDOVER_FD,
      },
      relay,
    );
    this.waiting.set(key, { process, relay });
  }

  /** Ends the waiting processes. */
  dispose(): void {
    this.disposed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const { process } of this.waiting.values()) process.kill();
    this.waiting.clear();
  }

  private carried(spec: HandlerProcessSpec): Record<string, string> {
    const { carry } = this.rules;
    return carry ? Object.fromEntries(Object.entries(spec.env).filter(([name]) => carry.test(name))) : {};
  }

  private keyOf(spec: HandlerProcessSpec): string {
    return JSON.stringify([spec.command, spec.args, spec.logFd, Object.entries(this.carried(spec)).sort()]);
  }
}
