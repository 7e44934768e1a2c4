// Where the user's breakpoints are bound in one handler process: which inspector breakpoints
// stand for which user breakpoints, set by URL before a script loads (through the maps found
// in the build output) or in a script once its own source map is read.
import { BreakpointRegistry, type UserBreakpoint } from './breakpoints';
import { CdpError, type CdpConnection } from './cdp/cdpConnection';
import type { Debugger } from './cdp/cdpProtocol';
import { urlRegexForPath } from './scriptPaths';
import type { LoadedSourceMap, SourceMapCache } from './sourceMaps';

export interface BindingSettings {
  sourceMaps: boolean;
  /** Maps found in the function's build output before the process runs. */
  knownMaps: LoadedSourceMap[];
}

/** A loaded script, as far as binding in it is concerned. */
export interface BindableScript {
  url: string;
  path?: string;
  sourceMapURL?: string;
  skipped: boolean;
}

/** Called for each place V8 resolved an inspector breakpoint to. */
export type ResolvedListener = (inspectorId: string, location: Debugger.Location) => Promise<void>;

const JS_FILE = /\.[cm]?js$/i;
/** Scripts of the user's code: files, outside node_modules. */
const USER_SCRIPT_URL = '^file://(?!.*/node_modules/).*\\.[cm]?js$';

export class BreakpointBindings {
  /** User breakpoint id → inspector breakpoint ids bound for it. */
  private readonly bindings = new Map<number, string[]>();
  /** Inspector breakpoint id → user breakpoints sharing it. */
  private readonly users = new Map<string, Set<number>>();
  /** Binding key (url regex/script + position) → inspector breakpoint id, since V8 refuses duplicates. */
  private readonly byKey = new Map<string, string>();
  /** Scripts whose source map was read to bind breakpoints after they loaded. */
  private readonly boundScripts = new Set<string>();
  private entryBreakpointId: string | undefined;

  constructor(
    private readonly cdp: CdpConnection,
    private readonly settings: BindingSettings,
    private readonly registry: BreakpointRegistry,
    private readonly maps: SourceMapCache,
    private readonly resolved: ResolvedListener,
  ) {}

  /** The user breakpoints an inspector breakpoint stands for. */
  usersOf(inspectorId: string): ReadonlySet<number> {
    return this.users.get(inspectorId) ?? new Set();
  }

  /** Whether a pause is the entry breakpoint that lets late source maps bind (see updateEntryBreakpoint). */
  isEntryPause(hitBreakpoints: string[] | undefined): boolean {
    return this.entryBreakpointId !== undefined && (hitBreakpoints?.includes(this.entryBreakpointId) ?? false);
  }

  /** A source-mapped script whose map was not known ahead (tsc output elsewhere, layers). */
  needsScriptBinding(script: BindableScript): boolean {
    if (!this.settings.sourceMaps || !script.sourceMapURL || !script.path || script.skipped) return false;
    return !this.settings.knownMaps.some((m) => m.generatedPath === script.path);
  }

  /** Binds by URL so the breakpoint applies to the script whenever it loads. */
  async bind(bp: UserBreakpoint): Promise<void> {
    // A breakpoint set while the thread started is in both the start-up set and the update.
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
      await this.add(bp, `${urlRegex}:${t.line}:${t.column ?? ''}`, () =>
        this.cdp.send('Debugger.setBreakpointByUrl', { urlRegex, lineNumber: t.line, columnNumber: t.column, condition: bp.condition }),
      );
    }
  }

  /** Binds every breakpoint whose source the script's own map covers. */
  async bindInScript(scriptId: string, script: BindableScript): Promise<void> {
    if (this.boundScripts.has(scriptId) || !script.sourceMapURL) return;
    this.boundScripts.add(scriptId);
    const map = await this.maps.forScript(script.url, script.sourceMapURL);
    if (!map) return;
    for (const bp of this.registry.all()) {
      if (!map.hasSource(bp.path) || !BreakpointRegistry.isBindable(bp)) continue;
      const pos = map.toGenerated(bp.path, bp.line);
      if (!pos) continue;
      const key = `${scriptId}:${pos.line}:${pos.column}`;
      await this.add(bp, key, async () => {
        const r = await this.cdp.send('Debugger.setBreakpoint', {
          location: { scriptId, lineNumber: pos.line - 1, columnNumber: pos.column },
          condition: bp.condition,
        });
        return { breakpointId: r.breakpointId, locations: [r.actualLocation] };
      });
    }
  }

  async unbind(bpId: number): Promise<void> {
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
  async updateEntryBreakpoint(): Promise<void> {
    if (!this.settings.sourceMaps) return;
    const needed = this.registry.all().some((bp) => !JS_FILE.test(bp.path) && !this.settings.knownMaps.some((m) => m.hasSource(bp.path)));
    if (needed && !this.entryBreakpointId) {
      const r = await this.cdp
        .send('Debugger.setBreakpointByUrl', { urlRegex: USER_SCRIPT_URL, lineNumber: 0, columnNumber: 0 })
        .catch(() => undefined);
      this.entryBreakpointId = r?.breakpointId;
    } else if (!needed && this.entryBreakpointId) {
      const id = this.entryBreakpointId;
      this.entryBreakpointId = undefined;
      await this.cdp.send('Debugger.removeBreakpoint', { breakpointId: id }).catch(() => undefined);
    }
  }

  private async add(
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
    for (const loc of locations) await this.resolved(cdpId, loc);
  }
}
