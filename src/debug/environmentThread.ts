// One execution environment under the debugger = one DAP thread: the inspector session of its
// handler process, the scripts it loaded, where the user's breakpoints bound in it, and its
// paused state. It knows nothing of DAP messages; the session turns its callbacks into events.
import * as path from 'node:path';
import type { EnvironmentInfo } from '../runtime/runtimeEvents';
import { BreakpointRegistry, logMessageExpression, type UserBreakpoint } from './breakpoints';
import { CdpError, type CdpConnection } from './cdp/cdpConnection';
import type { Debugger } from './cdp/cdpProtocol';
import { isSkipped, scriptUrlToPath, urlRegexForPath } from './scriptPaths';
import type { FilePosition, LoadedSourceMap, SourceMapCache } from './sourceMaps';

export type ExceptionState = 'none' | 'uncaught' | 'all';

export interface ThreadSettings {
  /** Regex sources over script URLs (skipFiles). */
  skipPatterns: string[];
  sourceMaps: boolean;
  exceptionState: ExceptionState;
  /** Maps found in the function's build output before the process runs. */
  knownMaps: LoadedSourceMap[];
}

export interface StopInfo {
  reason: string;
  description?: string;
  text?: string;
  hitBreakpointIds?: number[];
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

export interface ThreadListener {
  stopped(thread: EnvironmentThread, info: StopInfo): void;
  breakpointBound(bp: UserBreakpoint, line: number): void;
  logpoint(bp: UserBreakpoint, text: string): void;
  /** `wasPaused`: the thread ended while stopped (its process died under the debugger). */
  ended(thread: EnvironmentThread, wasPaused: boolean): void;
}

interface Script {
  url: string;
  path?: string;
  sourceMapURL?: string;
  skipped: boolean;
}

const JS_FILE = /\.[cm]?js$/i;
export const OBJECT_GROUP = 'lambda-lab';
/** How long a starting process may take to reach inspector.waitForDebugger(). */
const WAIT_FOR_BOOTSTRAP_MS = 10_000;
/** Scripts of the user's code: files, outside node_modules. */
const USER_SCRIPT_URL = '^file://(?!.*/node_modules/).*\\.[cm]?js$';

export class EnvironmentThread {
  readonly name: string;
  private readonly scripts = new Map<string, Script>();
  private readonly skipRegexps: RegExp[];
  /** User breakpoint id → inspector breakpoint ids bound for it. */
  private readonly bindings = new Map<number, string[]>();
  /** Inspector breakpoint id → user breakpoints sharing it. */
  private readonly users = new Map<string, Set<number>>();
  /** Binding key (url regex/script + position) → inspector breakpoint id, since V8 refuses duplicates. */
  private readonly byKey = new Map<string, string>();
  private queue: Promise<unknown> = Promise.resolve();
  private entryBreakpointId: string | undefined;
  /** Scripts whose source map was read to bind breakpoints after they loaded. */
  private readonly boundScripts = new Set<string>();
  private pendingReason: 'step' | 'pause' | undefined;
  private ended = false;
  paused: Debugger.PausedEvent | undefined;

  constructor(
    readonly id: number,
    readonly environment: EnvironmentInfo,
    readonly cdp: CdpConnection,
    private readonly settings: ThreadSettings,
    private readonly registry: BreakpointRegistry,
    private readonly maps: SourceMapCache,
    private readonly listener: ThreadListener,
  ) {
    this.name = `${environment.functionName} ${environment.version} #${environment.ordinal}`;
    this.skipRegexps = settings.skipPatterns.map((p) => new RegExp(p));
    cdp.on('Debugger.scriptParsed', (e) => this.onScriptParsed(e));
    cdp.on('Debugger.breakpointResolved', (e) => void this.onResolved(e.breakpointId, e.location));
    cdp.on('Debugger.paused', (e) => void this.onPaused(e).catch(() => undefined));
    cdp.on('Debugger.resumed', () => (this.paused = undefined));
    cdp.on('close', () => this.end());
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** Enables the domains, binds every breakpoint, then lets the waiting process run its init. */
  async start(): Promise<void> {
    const { cdp, settings } = this;
    cdp.nudgeUntilPaused();
    await Promise.all([
      cdp.send('Runtime.enable'),
      cdp.send('Debugger.enable', {}),
      cdp.send('Debugger.setBlackboxPatterns', { patterns: settings.skipPatterns }),
      cdp.send('Debugger.setPauseOnExceptions', { state: settings.exceptionState }),
      this.serial(() => Promise.all([...this.registry.all().map((bp) => this.bind(bp)), this.updateEntryBreakpoint()])),
    ]);
    await this.runWhenWaiting();
  }

  /**
   * The runtime reports the inspector as soon as it listens, which can be before the bootstrap
   * reaches inspector.waitForDebugger(); a run command sent earlier would be lost and the process
   * would wait forever. So look at where the main thread is, and send it once it waits.
   */
  private async runWhenWaiting(): Promise<void> {
    const starting = this.environment.state === 'starting' || this.environment.state === 'initializing';
    const deadline = Date.now() + WAIT_FOR_BOOTSTRAP_MS;
    while (starting && Date.now() < deadline) {
      this.cdp.nudgeUntilPaused();
      const r = await this.cdp.send('Runtime.evaluate', { expression: 'new Error().stack', returnByValue: true, silent: true });
      // Frame 0 is the evaluated expression; frame 1 is where the main thread is. Only Node's own
      // waitForDebugger counts: the bootstrap's function of the same name has not waited yet.
      const where = String(r.result.value).split('\n')[2] ?? '';
      if (where.includes('(node:inspector:') && /waitForDebugger/i.test(where)) break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await this.cdp.send('Runtime.runIfWaitingForDebugger');
  }

  /** Re-binds after a setBreakpoints request changed a file's list. */
  updateBreakpoints(added: UserBreakpoint[], removed: UserBreakpoint[]): Promise<void> {
    return this.serial(async () => {
      await Promise.all(removed.map((bp) => this.unbind(bp.id)));
      await Promise.all([...added.map((bp) => this.bind(bp)), this.updateEntryBreakpoint()]);
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

  step(kind: 'Debugger.stepOver' | 'Debugger.stepInto' | 'Debugger.stepOut'): Promise<void> {
    this.pendingReason = 'step';
    this.paused = undefined;
    return this.run(kind);
  }

  /** Lets the process run on; its next pause must not wait for TCP (see nudgeUntilPaused). */
  private async run(command: 'Debugger.resume' | 'Debugger.stepOver' | 'Debugger.stepInto' | 'Debugger.stepOut'): Promise<void> {
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
    if (mapped) return { path: mapped.path, name: path.basename(mapped.path), line: mapped.line, column: mapped.column + 1, skipped: script.skipped };
    if (script.path) return { path: script.path, name: path.basename(script.path), line, column: column + 1, skipped: script.skipped };
    return { name: script.url || `script ${location.scriptId}`, scriptId: location.scriptId, line, column: column + 1, skipped: script.skipped };
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
    this.listener.ended(this, wasPaused);
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async original(script: Script, line: number, column: number): Promise<FilePosition | undefined> {
    if (!this.settings.sourceMaps || !script.sourceMapURL) return undefined;
    const map = await this.maps.forScript(script.url, script.sourceMapURL);
    return map?.toOriginal(line, column);
  }

  private onScriptParsed(e: Debugger.ScriptParsedEvent): void {
    const script: Script = { url: e.url, path: scriptUrlToPath(e.url), sourceMapURL: e.sourceMapURL || undefined, skipped: isSkipped(e.url, this.skipRegexps) };
    this.scripts.set(e.scriptId, script);
    if (this.needsDynamicBinding(script)) void this.serial(() => this.bindInScript(e.scriptId, script));
  }

  /** A source-mapped script whose map was not known ahead (tsc output elsewhere, layers). */
  private needsDynamicBinding(script: Script): boolean {
    if (!this.settings.sourceMaps || !script.sourceMapURL || !script.path || script.skipped) return false;
    return !this.settings.knownMaps.some((m) => m.generatedPath === script.path);
  }

  private async bindInScript(scriptId: string, script: Script): Promise<void> {
    if (this.boundScripts.has(scriptId)) return;
    this.boundScripts.add(scriptId);
    const map = await this.maps.forScript(script.url, script.sourceMapURL!);
    if (!map) return;
    for (const bp of this.registry.all()) {
      if (!map.hasSource(bp.path) || !BreakpointRegistry.isBindable(bp)) continue;
      const pos = map.toGenerated(bp.path, bp.line);
      if (!pos) continue;
      const key = `${scriptId}:${pos.line}:${pos.column}`;
      await this.addBinding(bp, key, async () => {
        const r = await this.cdp.send('Debugger.setBreakpoint', {
          location: { scriptId, lineNumber: pos.line - 1, columnNumber: pos.column },
          condition: bp.condition,
        });
        return { breakpointId: r.breakpointId, locations: [r.actualLocation] };
      });
    }
  }

  /** Binds by URL so the breakpoint applies to the script whenever it loads. */
  private async bind(bp: UserBreakpoint): Promise<void> {
    // A breakpoint set while this thread started is in both the start-up set and the update.
    if (!BreakpointRegistry.isBindable(bp) || this.bindings.has(bp.id)) return;
    const targets: Array<{ file: string; line: number; column?: number }> = [];
    const maps = this.settings.sourceMaps ? this.settings.knownMaps.filter((m) => m.hasSource(bp.path)) : [];
    for (const map of maps) {
      const pos = map.toGenerated(bp.path, bp.line);
      if (pos) targets.push({ file: pos.path, line: pos.line - 1, column: pos.column });
    }
    if (maps.length === 0) {
      if (this.settings.sourceMaps && !JS_FILE.test(bp.path)) return; // bound when a script mapping it loads
      targets.push({ file: bp.path, line: bp.line - 1, column: bp.column !== undefined ? bp.column - 1 : undefined });
    }
    for (const t of targets) {
      const urlRegex = urlRegexForPath(t.file);
      await this.addBinding(bp, `${urlRegex}:${t.line}:${t.column ?? ''}`, () =>
        this.cdp.send('Debugger.setBreakpointByUrl', { urlRegex, lineNumber: t.line, columnNumber: t.column, condition: bp.condition }),
      );
    }
  }

  private async addBinding(
    bp: UserBreakpoint,
    key: string,
    set: () => Promise<{ breakpointId: string; locations: Debugger.Location[] }>,
  ): Promise<void> {
    let cdpId = this.byKey.get(key);
    let locations: Debugger.Location[] = [];
    if (!cdpId) {
      try {
        const r = await set();
        cdpId = r.breakpointId;
        locations = r.locations;
      } catch (err) {
        if (err instanceof CdpError) return; // the process went away or refused the location
        throw err;
      }
      this.byKey.set(key, cdpId);
    }
    this.bindings.set(bp.id, [...(this.bindings.get(bp.id) ?? []), cdpId]);
    const users = this.users.get(cdpId) ?? new Set<number>();
    users.add(bp.id);
    this.users.set(cdpId, users);
    for (const loc of locations) await this.onResolved(cdpId, loc);
  }

  private async unbind(bpId: number): Promise<void> {
    for (const cdpId of this.bindings.get(bpId) ?? []) {
      const users = this.users.get(cdpId);
      users?.delete(bpId);
      if (users && users.size > 0) continue;
      this.users.delete(cdpId);
      for (const [key, id] of this.byKey) if (id === cdpId) this.byKey.delete(key);
      await this.cdp.send('Debugger.removeBreakpoint', { breakpointId: cdpId }).catch(() => undefined);
    }
    this.bindings.delete(bpId);
  }

  /**
   * A breakpoint in a source whose map was not found ahead (tsc output outside the code folder,
   * layers) can only bind once the script that maps it is parsed, and Node runs CommonJS modules
   * right after parsing them (instrumentation breakpoints do not fire for them). So while such
   * breakpoints exist, pause at the first line of every user script, read its map, bind, resume.
   */
  private async updateEntryBreakpoint(): Promise<void> {
    if (!this.settings.sourceMaps) return;
    const needed = this.registry
      .all()
      .some((bp) => !JS_FILE.test(bp.path) && !this.settings.knownMaps.some((m) => m.hasSource(bp.path)));
    if (needed && !this.entryBreakpointId) {
      const r = await this.cdp.send('Debugger.setBreakpointByUrl', { urlRegex: USER_SCRIPT_URL, lineNumber: 0, columnNumber: 0 }).catch(() => undefined);
      this.entryBreakpointId = r?.breakpointId;
    } else if (!needed && this.entryBreakpointId) {
      const id = this.entryBreakpointId;
      this.entryBreakpointId = undefined;
      await this.cdp.send('Debugger.removeBreakpoint', { breakpointId: id }).catch(() => undefined);
    }
  }

  private async onResolved(cdpId: string, location: Debugger.Location): Promise<void> {
    const users = this.users.get(cdpId);
    if (!users) return;
    const where = await this.userLocation(location);
    for (const id of users) {
      const bp = this.registry.get(id);
      if (bp) this.listener.breakpointBound(bp, where.path === bp.path ? where.line : bp.line);
    }
  }

  private async onPaused(e: Debugger.PausedEvent): Promise<void> {
    if (this.entryBreakpointId && e.hitBreakpoints?.includes(this.entryBreakpointId)) {
      const scriptId = e.callFrames[0].location.scriptId;
      const script = this.scripts.get(scriptId);
      if (script && this.needsDynamicBinding(script)) await this.serial(() => this.bindInScript(scriptId, script));
    }
    const hit = (e.hitBreakpoints ?? [])
      .flatMap((id) => [...(this.users.get(id) ?? [])])
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
    if (exception) {
      const description = e.data?.description?.split('\n')[0] ?? 'Exception';
      this.listener.stopped(this, { reason: 'exception', description: `Paused on exception: ${description}`, text: description });
    } else if (stopFor.length > 0) {
      this.listener.stopped(this, { reason: 'breakpoint', hitBreakpointIds: stopFor.map((bp) => bp.id) });
    } else {
      this.listener.stopped(this, { reason: requested ?? (e.reason === 'other' ? 'debugger statement' : e.reason) });
    }
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
      if (r.exceptionDetails) return `${message} (logpoint error: ${r.exceptionDetails.exception?.description?.split('\n')[0] ?? r.exceptionDetails.text})`;
      return String(r.result.value);
    } catch (err) {
      return `${message} (logpoint error: ${(err as Error).message})`;
    }
  }
}
