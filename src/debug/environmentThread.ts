// A Node execution environment under the debugger, as a DebugThread: the inspector session of
// its handler process, the start-up handshake, the scripts it loaded, and when a pause is the
// user's to see. Where breakpoints bind is breakpointBindings'. It knows nothing of DAP
// messages; the session turns its callbacks into events.
import * as path from 'node:path';
import type { EnvironmentInfo } from '../runtime/runtimeEvents';
import { BreakpointBindings, type BindableScript } from './breakpointBindings';
import { logMessageExpression, type BreakpointRegistry, type UserBreakpoint } from './breakpoints';
import { CdpConnection } from './cdp/cdpConnection';
import type { Debugger } from './cdp/cdpProtocol';
import type { DebugThread, ExceptionState, StepKind, ThreadListener } from './debugThread';
import { isSkipped, scriptUrlToPath } from './scriptPaths';
import type { LoadedSourceMap, MapPosition, SourceMapCache } from './sourceMaps';

export interface ThreadSettings {
  /** Regex sources over script URLs (skipFiles). */
  skipPatterns: string[];
  sourceMaps: boolean;
  exceptionState: ExceptionState;
  /** Maps found in the function's build output before the process runs. */
  knownMaps: LoadedSourceMap[];
}

/** What every thread of a session shares. */
export interface SessionParts {
  registry: BreakpointRegistry;
  maps: SourceMapCache;
  listener: ThreadListener;
}

/** Where a script position is for the user: a file (possibly through a source map) or a script without a file. */
export interface UserLocation {
  path?: string;
  /** For scripts without a file (node:internal/...): the script, fetched through DAP `source`. */
  scriptId?: string;
  name: string;
  line: number;
  column: number;
  skipped: boolean;
}

export const OBJECT_GROUP = 'lambda-lab';
/** How long a starting process may take to reach inspector.waitForDebugger(). */
const WAIT_FOR_BOOTSTRAP_MS = 10_000;

const STEP_COMMANDS = { over: 'Debugger.stepOver', into: 'Debugger.stepInto', out: 'Debugger.stepOut' } as const;

type RunCommand = 'Debugger.resume' | (typeof STEP_COMMANDS)[StepKind];

export class EnvironmentThread implements DebugThread {
  readonly name: string;
  private readonly scripts = new Map<string, BindableScript>();
  private readonly skipRegexps: RegExp[];
  private readonly bindings: BreakpointBindings;
  private queue: Promise<unknown> = Promise.resolve();
  private pendingReason: 'step' | 'pause' | undefined;
  private ended = false;
  paused: Debugger.PausedEvent | undefined;
  /** Stopped where the user sees it; pauses the thread resumes from on its own are not paused time. */
  private stopShown = false;

  /** Connects to the environment's inspector; `start()` then lets its process run. */
  static async connect(
    id: number,
    environment: EnvironmentInfo,
    settings: Omit<ThreadSettings, 'knownMaps'>,
    knownMaps: Promise<LoadedSourceMap[]>,
    session: SessionParts,
  ): Promise<EnvironmentThread> {
    if (!environment.inspectorUrl) throw new Error('its process has no inspector');
    const cdp = await CdpConnection.connect(environment.inspectorUrl);
    return new EnvironmentThread(id, environment, cdp, { ...settings, knownMaps: await knownMaps }, session);
  }

  private readonly registry: BreakpointRegistry;
  private readonly maps: SourceMapCache;
  private readonly listener: ThreadListener;

  private constructor(
    readonly id: number,
    readonly environment: EnvironmentInfo,
    readonly cdp: CdpConnection,
    private readonly settings: ThreadSettings,
    session: SessionParts,
  ) {
    this.registry = session.registry;
    this.maps = session.maps;
    this.listener = session.listener;
    this.name = `${environment.functionName} ${environment.version} #${environment.ordinal}`;
    this.skipRegexps = settings.skipPatterns.map((p) => new RegExp(p));
    this.bindings = new BreakpointBindings(cdp, settings, this.registry, this.maps, (id, location) => this.onResolved(id, location));
    cdp.on('Debugger.scriptParsed', (e) => this.onScriptParsed(e));
    cdp.on('Debugger.breakpointResolved', (e) => void this.onResolved(e.breakpointId, e.location));
    cdp.on('Debugger.paused', (e) => void this.onPaused(e).catch(() => undefined));
    cdp.on('Debugger.resumed', () => {
      this.paused = undefined;
      this.showStop(false);
    });
    cdp.on('close', () => this.end());
  }

  get isEnded(): boolean {
    return this.ended;
  }

  get isPaused(): boolean {
    return this.paused !== undefined;
  }

  /** Enables the domains, binds every breakpoint, then lets the waiting process run its init. */
  async start(): Promise<void> {
    const { cdp, settings } = this;
    cdp.nudgeUntilPaused();
    // One round trip: the probe of where the main thread is goes out with the start-up commands.
    const probe = this.isStarting() ? this.waitingForDebugger() : Promise.resolve(true);
    probe.catch(() => undefined);
    await Promise.all([
      cdp.send('Debugger.enable', {}),
      cdp.send('Debugger.setBlackboxPatterns', { patterns: settings.skipPatterns }),
      cdp.send('Debugger.setPauseOnExceptions', { state: settings.exceptionState }),
      this.serial(() => Promise.all([...this.registry.all().map((bp) => this.bindings.bind(bp)), this.bindings.updateEntryBreakpoint()])),
    ]);
    await this.runWhenWaiting(probe);
  }

  private isStarting(): boolean {
    return this.environment.state === 'starting' || this.environment.state === 'initializing';
  }

  /**
   * The runtime reports the inspector as soon as it listens, which can be before the bootstrap
   * reaches inspector.waitForDebugger(); a run command sent earlier would be lost and the process
   * would wait forever. So look at where the main thread is, and send it once it waits.
   */
  private async runWhenWaiting(firstProbe: Promise<boolean>): Promise<void> {
    const deadline = Date.now() + WAIT_FOR_BOOTSTRAP_MS;
    let waiting = await firstProbe;
    while (!waiting && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      this.cdp.nudgeUntilPaused();
      waiting = await this.waitingForDebugger();
    }
    await this.cdp.send('Runtime.runIfWaitingForDebugger');
  }

  private async waitingForDebugger(): Promise<boolean> {
    const r = await this.cdp.send('Runtime.evaluate', { expression: 'new Error().stack', returnByValue: true, silent: true });
    // Frame 0 is the evaluated expression; frame 1 is where the main thread is. Only Node's own
    // waitForDebugger counts: the bootstrap's function of the same name has not waited yet.
    const where = String(r.result.value).split('\n')[2] ?? '';
    return where.includes('(node:inspector:') && /waitForDebugger/i.test(where);
  }

  /** Re-binds after a setBreakpoints request changed a file's list. */
  updateBreakpoints(added: UserBreakpoint[], removed: UserBreakpoint[]): Promise<void> {
    return this.serial(async () => {
      await Promise.all(removed.map((bp) => this.bindings.unbind(bp.id)));
      await Promise.all([...added.map((bp) => this.bindings.bind(bp)), this.bindings.updateEntryBreakpoint()]);
    });
  }

  setExceptionState(state: ExceptionState): Promise<unknown> {
    this.settings.exceptionState = state;
    return this.cdp.send('Debugger.setPauseOnExceptions', { state }).catch(() => undefined);
  }

  resume(): Promise<void> {
    this.pendingReason = undefined;
    this.paused = undefined;
    return this.run('Debugger.resume');
  }

  step(kind: StepKind): Promise<void> {
    this.pendingReason = 'step';
    this.paused = undefined;
    return this.run(STEP_COMMANDS[kind]);
  }

  /** Lets the process run on; its next pause must not wait for TCP (see nudgeUntilPaused). */
  private async run(command: RunCommand): Promise<void> {
    this.showStop(false);
    this.cdp.nudgeUntilPaused();
    await this.cdp.send(command);
  }

  pause(): Promise<unknown> {
    this.pendingReason = 'pause';
    return this.cdp.send('Debugger.pause');
  }

  /** Where a script position is for the user, through the script's source map when it has one. */
  async userLocation(location: Debugger.Location): Promise<UserLocation> {
    const script = this.scripts.get(location.scriptId);
    const line = location.lineNumber + 1;
    const column = location.columnNumber ?? 0;
    if (!script) return { name: `script ${location.scriptId}`, scriptId: location.scriptId, line, column: column + 1, skipped: false };
    const mapped = await this.original(script, line, column);
    if (mapped)
      return { path: mapped.path, name: path.basename(mapped.path), line: mapped.line, column: mapped.column + 1, skipped: script.skipped };
    if (script.path) return { path: script.path, name: path.basename(script.path), line, column: column + 1, skipped: script.skipped };
    return {
      name: script.url || `script ${location.scriptId}`,
      scriptId: location.scriptId,
      line,
      column: column + 1,
      skipped: script.skipped,
    };
  }

  /** Stops debugging: breakpoints removed, process running on its own. */
  async detach(): Promise<void> {
    if (this.ended) return;
    await Promise.all([this.cdp.send('Debugger.disable'), this.cdp.send('Runtime.runIfWaitingForDebugger')]).catch(() => undefined);
    this.paused = undefined;
    this.end();
    this.cdp.close();
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    const wasPaused = this.paused !== undefined;
    this.paused = undefined;
    this.showStop(false);
    this.listener.ended(this, wasPaused);
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async original(script: BindableScript, line: number, column: number): Promise<MapPosition | undefined> {
    if (!this.settings.sourceMaps) return undefined;
    // Local builds write external maps (no sourceMappingURL): those were found ahead in the build output.
    const map = script.sourceMapURL
      ? await this.maps.forScript(script.url, script.sourceMapURL)
      : this.settings.knownMaps.find((m) => m.generatedPath === script.path);
    return map?.toOriginal(line, column);
  }

  private onScriptParsed(e: Debugger.ScriptParsedEvent): void {
    const script: BindableScript = {
      url: e.url,
      path: scriptUrlToPath(e.url),
      sourceMapURL: e.sourceMapURL || undefined,
      skipped: isSkipped(e.url, this.skipRegexps),
    };
    this.scripts.set(e.scriptId, script);
    if (this.bindings.needsScriptBinding(script)) void this.serial(() => this.bindings.bindInScript(e.scriptId, script));
  }

  private async onResolved(cdpId: string, location: Debugger.Location): Promise<void> {
    const users = this.bindings.usersOf(cdpId);
    if (users.size === 0) return;
    const where = await this.userLocation(location);
    for (const id of users) {
      const bp = this.registry.get(id);
      if (bp) this.listener.breakpointBound(bp, where.path === bp.path ? where.line : bp.line);
    }
  }

  private async onPaused(e: Debugger.PausedEvent): Promise<void> {
    if (this.bindings.isEntryPause(e.hitBreakpoints)) {
      const scriptId = e.callFrames[0].location.scriptId;
      const script = this.scripts.get(scriptId);
      if (script && this.bindings.needsScriptBinding(script)) await this.serial(() => this.bindings.bindInScript(scriptId, script));
    }
    const hit = (e.hitBreakpoints ?? [])
      .flatMap((id) => [...this.bindings.usersOf(id)])
      .map((id) => this.registry.get(id))
      .filter((bp): bp is UserBreakpoint => bp !== undefined);
    const stopFor: UserBreakpoint[] = [];
    for (const bp of hit) {
      if (bp.hitPredicate && !bp.hitPredicate(++bp.hits)) continue;
      if (bp.logMessage) {
        this.listener.logpoint(bp, await this.logText(e.callFrames[0].callFrameId, bp.logMessage));
        continue;
      }
      stopFor.push(bp);
    }
    const requested = this.pendingReason;
    const exception = e.reason === 'exception' || e.reason === 'promiseRejection';
    if (!exception && stopFor.length === 0 && !requested && (e.hitBreakpoints?.length ?? 0) > 0) {
      await this.run('Debugger.resume'); // only logpoints or unmet hit conditions
      return;
    }
    if (exception && stopFor.length === 0 && this.isSkipped(e.callFrames[0])) {
      // Thrown inside skipped code (Node's module loader, our bootstrap): not the user's to see here;
      // the failure reaches the Debug Console through the invocation's result.
      await this.run('Debugger.resume');
      return;
    }
    if (requested && !exception && stopFor.length === 0 && this.isSkipped(e.callFrames[0])) {
      // V8 can still end a step or pause in ignored code (a getter in Node's internals, our
      // bootstrap): leave it for the nearest user frame. With none on the stack, a step runs on;
      // a pause stays where it is (an idle environment has no user code to show).
      const userFrameBelow = e.callFrames.some((f) => !this.isSkipped(f));
      if (userFrameBelow || requested === 'step') {
        if (!userFrameBelow) this.pendingReason = undefined;
        await this.run(userFrameBelow ? 'Debugger.stepOut' : 'Debugger.resume');
        return;
      }
    }
    this.pendingReason = undefined;
    this.paused = e;
    this.showStop(true);
    if (exception) {
      const description = e.data?.description?.split('\n')[0] ?? 'Exception';
      this.listener.stopped(this, { reason: 'exception', description: `Paused on exception: ${description}`, text: description });
    } else if (stopFor.length > 0) {
      this.listener.stopped(this, { reason: 'breakpoint', hitBreakpointIds: stopFor.map((bp) => bp.id) });
    } else {
      this.listener.stopped(this, { reason: requested ?? (e.reason === 'other' ? 'debugger statement' : e.reason) });
    }
  }

  private showStop(shown: boolean): void {
    if (this.stopShown === shown) return;
    this.stopShown = shown;
    this.listener.pausedChanged(this.environment.id, shown);
  }

  private isSkipped(frame: Debugger.CallFrame | undefined): boolean {
    return frame !== undefined && (this.scripts.get(frame.location.scriptId)?.skipped ?? false);
  }

  private async logText(callFrameId: string, message: string): Promise<string> {
    try {
      const r = await this.cdp.send('Debugger.evaluateOnCallFrame', {
        callFrameId,
        expression: logMessageExpression(message),
        returnByValue: true,
        silent: true,
      });
      if (r.exceptionDetails)
        return `${message} (logpoint error: ${r.exceptionDetails.exception?.description?.split('\n')[0] ?? r.exceptionDetails.text})`;
      return String(r.result.value);
    } catch (err) {
      return `${message} (logpoint error: ${(err as Error).message})`;
    }
  }
}
