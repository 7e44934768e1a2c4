// Drives the standalone adapter (node out/debugAdapter.js) with DebugClient against copies of
// the fixture SAM projects, collecting events so none is missed between requests.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';

const ROOT = path.resolve(__dirname, '../..');
export const ADAPTER = path.join(ROOT, 'out/debugAdapter.js');
const EVENT_TIMEOUT_MS = 20_000;

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/** Builds out/ when the adapter bundle is missing or older than the sources, so a test file runs alone. */
export function ensureAdapterBuilt(): void {
  const built = (() => {
    try {
      return statSync(ADAPTER).mtimeMs;
    } catch {
      return 0;
    }
  })();
  if (built < newestMtime(path.join(ROOT, 'src'))) execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' });
}

/** A private copy of test/fixtures/debug/<name>, so tests may edit code and the runtime may write state. */
export function copyFixture(name: string, dir = mkdtempSync(path.join(os.tmpdir(), `lambda-lab-debug-${name}-`))): string {
  rmSync(dir, { recursive: true, force: true });
  cpSync(path.join(ROOT, 'test/fixtures/debug', name), dir, { recursive: true });
  return dir;
}

export function removeFixture(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

const DISCONNECT_TIMEOUT_MS = 15_000;

export type Breakpoints = Record<string, Array<number | DebugProtocol.SourceBreakpoint>>;

export class DebugHarness {
  private client: DebugClient | undefined;
  private seen: DebugProtocol.Event[] = [];
  private waiters: Array<{ match: (e: DebugProtocol.Event) => boolean; resolve: (e: DebugProtocol.Event) => void }> = [];
  private counts = new Map<string, number>();
  /** The setBreakpoints responses of the configuration sequence, by file. */
  readonly breakpoints = new Map<string, DebugProtocol.Breakpoint[]>();

  /** Spawns the standalone adapter, or with `port` connects to an adapter serving DAP there. */
  static async start(port?: number): Promise<DebugHarness> {
    const h = new DebugHarness();
    await h.open(port);
    return h;
  }

  /** A fresh adapter connection, forgetting every event and breakpoint of the previous one. */
  async open(port?: number): Promise<void> {
    this.seen = [];
    this.waiters = [];
    this.counts = new Map();
    this.breakpoints.clear();
    const dc = new DebugClient(process.execPath, ADAPTER, 'lambda-lab');
    dc.defaultTimeout = EVENT_TIMEOUT_MS;
    this.client = dc;
    await dc.start(port);
    for (const type of ['stopped', 'thread', 'output', 'breakpoint', 'terminated', 'initialized']) {
      // A previous adapter's late events must not reach this test's queue.
      dc.on(type, (e: DebugProtocol.Event) => this.client === dc && this.receive(e));
    }
  }

  get dc(): DebugClient {
    if (!this.client) throw new Error('The adapter is not started: call open() first (useDebugFixture does, before each test).');
    return this.client;
  }

  /** How many events of `type` arrived so far, consumed or not. */
  count(type: string): number {
    return this.counts.get(type) ?? 0;
  }

  private receive(e: DebugProtocol.Event): void {
    this.counts.set(e.event, this.count(e.event) + 1);
    const i = this.waiters.findIndex((w) => w.match(e));
    if (i >= 0) this.waiters.splice(i, 1)[0].resolve(e);
    else this.seen.push(e);
  }

  /** The next event of `type` (already received or future) that satisfies `match`. */
  next<E extends DebugProtocol.Event>(type: string, match: (e: E) => boolean = () => true, timeoutMs = EVENT_TIMEOUT_MS): Promise<E> {
    const test = (e: DebugProtocol.Event) => e.event === type && match(e as E);
    const i = this.seen.findIndex(test);
    if (i >= 0) return Promise.resolve(this.seen.splice(i, 1)[0] as E);
    return new Promise<E>((resolve, reject) => {
      const waiter = { match: test, resolve: (e: DebugProtocol.Event) => (clearTimeout(timer), resolve(e as E)) };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`no "${type}" event within ${timeoutMs} ms; unconsumed: ${this.seen.map((s) => s.event).join(', ')}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Every output text received so far (consumed or not). */
  outputs(): string[] {
    return this.seen.filter((e) => e.event === 'output').map((e) => (e as DebugProtocol.OutputEvent).body.output);
  }

  stopped(match: (e: DebugProtocol.StoppedEvent) => boolean = () => true): Promise<DebugProtocol.StoppedEvent> {
    return this.next<DebugProtocol.StoppedEvent>('stopped', match);
  }

  /** initialize → launch (or attach), breakpoints and exception filters set, configurationDone. */
  async configure(
    request: 'launch' | 'attach',
    args: Record<string, unknown>,
    breakpoints: Breakpoints = {},
    exceptionFilters: string[] = [],
  ): Promise<void> {
    await this.dc.initializeRequest({ adapterID: 'lambda-lab', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
    await this.next('initialized');
    const started =
      request === 'launch'
        ? this.dc.launchRequest(args as DebugProtocol.LaunchRequestArguments)
        : this.dc.attachRequest(args as DebugProtocol.AttachRequestArguments);
    for (const [file, lines] of Object.entries(breakpoints)) {
      const r = await this.dc.setBreakpointsRequest({
        source: { path: file },
        breakpoints: lines.map((l) => (typeof l === 'number' ? { line: l } : l)),
      });
      this.breakpoints.set(file, r.body.breakpoints);
    }
    await this.dc.setExceptionBreakpointsRequest({ filters: exceptionFilters });
    await this.dc.configurationDoneRequest();
    await started;
  }

  async topFrame(threadId: number): Promise<DebugProtocol.StackFrame> {
    const r = await this.dc.stackTraceRequest({ threadId, startFrame: 0, levels: 20 });
    return r.body.stackFrames[0];
  }

  async location(threadId: number): Promise<{ file: string; line: number; name: string }> {
    const f = await this.topFrame(threadId);
    return { file: f.source?.path ?? f.source?.name ?? '', line: f.line, name: f.name };
  }

  /** The variables of a frame's first scope (Local, or Module at a module's top level). */
  async locals(frameId: number): Promise<Map<string, DebugProtocol.Variable>> {
    const scopes = await this.dc.scopesRequest({ frameId });
    const vars = await this.dc.variablesRequest({ variablesReference: scopes.body.scopes[0].variablesReference });
    return new Map(vars.body.variables.map((v) => [v.name, v]));
  }

  /** Invokes through the adapter's runtime (custom request); `fn` defaults to the launched function. */
  invoke(payload: unknown = {}, fn?: string): Promise<DebugProtocol.Response> {
    return this.dc.customRequest('lambdaLab.invoke', { payload, function: fn });
  }

  /**
   * Disconnects, then kills the adapter. DebugClient waits for the disconnect answer without a
   * limit; an adapter that never answers is reported and killed rather than hanging the suite.
   */
  async stop(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), DISCONNECT_TIMEOUT_MS)));
    const outcome = await Promise.race([this.dc.stop().then(() => 'ok' as const), limit]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      process.stderr.write(`debug harness: the adapter did not answer "disconnect" within ${DISCONNECT_TIMEOUT_MS} ms; killed it\n`);
      // stopAdapter() is public at run time, only marked private in the typings.
      (this.dc as unknown as { stopAdapter(): void }).stopAdapter();
    }
  }
}
