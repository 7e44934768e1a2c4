// One Python execution environment under the debugger = one thread of the user's session: a
// DAP conversation with the debugpy adapter in its process. debugpy already speaks DAP, so
// this is mostly a translation of ids; what it adds is the start-up handshake (breakpoints
// and exception filters in place before configurationDone releases the waiting init) and
// keeping the bootstrap out of the user's way (justMyCode, its folder excluded).
import * as path from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { EnvironmentInfo } from '../../runtime/runtimeEvents';
import { DapConnection } from './dapConnection';

export type StepKind = 'next' | 'stepIn' | 'stepOut';

export interface PythonThreadListener {
  stopped(thread: PythonThread, body: DebugProtocol.StoppedEvent['body']): void;
  /** debugpy changed a breakpoint it had answered for (bound later, moved). */
  breakpointChanged(thread: PythonThread, breakpoint: DebugProtocol.Breakpoint): void;
  output(thread: PythonThread, body: DebugProtocol.OutputEvent['body']): void;
  ended(thread: PythonThread, wasPaused: boolean): void;
  /** A stop began (`true`) or ended, before the thread asks debugpy to run again: time an invoke spends paused. */
  pausedChanged(thread: PythonThread, paused: boolean): void;
}

export interface PythonThreadSettings {
  /** Folder of our bootstrap: never the user's code (no stepping into it, no frames from it). */
  bootstrapDir: string;
  justMyCode: boolean;
}

/** The breakpoints one source file has, as the client set them. */
export type SourceBreakpoints = Map<string, DebugProtocol.SourceBreakpoint[]>;

export class PythonThread {
  readonly name: string;
  /** debugpy's id of the Python thread that stopped; the one the user steps. */
  private stoppedThreadId: number | undefined;
  private ended = false;

  private constructor(
    readonly id: number,
    readonly environment: EnvironmentInfo,
    private readonly dap: DapConnection,
    private readonly listener: PythonThreadListener,
  ) {
    this.name = `${environment.functionName} ${environment.version} #${environment.ordinal}`;
    dap.onEvent((e) => this.onEvent(e));
    dap.onClose(() => this.end());
  }

  /** Connects to the debugpy adapter the environment reported (`tcp://host:port`). */
  static async connect(id: number, environment: EnvironmentInfo, listener: PythonThreadListener): Promise<PythonThread> {
    const url = /^tcp:\/\/(.+):(\d+)$/.exec(environment.inspectorUrl ?? '');
    if (!url) throw new Error(`not a debugpy endpoint: ${environment.inspectorUrl}`);
    return new PythonThread(id, environment, await DapConnection.connect(url[1], Number(url[2])), listener);
  }

  get isEnded(): boolean {
    return this.ended;
  }

  get isPaused(): boolean {
    return this.stoppedThreadId !== undefined;
  }

  /**
   * The handshake: attach, then every breakpoint and the exception filters, then
   * configurationDone, which lets the process's waiting init run. Resolves with what debugpy
   * answered for each file's breakpoints.
   */
  async start(
    settings: PythonThreadSettings,
    breakpoints: SourceBreakpoints,
    exceptionFilters: string[],
  ): Promise<Map<string, DebugProtocol.Breakpoint[]>> {
    await this.dap.request('initialize', {
      clientID: 'lambda-lab',
      clientName: 'Lambda Lab',
      adapterID: 'debugpy',
      pathFormat: 'path',
      linesStartAt1: true,
      columnsStartAt1: true,
      supportsVariableType: true,
    });
    const initialized = this.dap.nextEvent('initialized');
    const attached = this.dap.request('attach', {
      justMyCode: settings.justMyCode,
      // The runtime already shows the function's output, with call sites.
      redirectOutput: false,
      subProcess: false,
      rules: [{ path: path.join(settings.bootstrapDir, '**'), include: false }],
    });
    await initialized;
    const bound = new Map<string, DebugProtocol.Breakpoint[]>();
    await Promise.all([...breakpoints].map(async ([file, specs]) => bound.set(file, await this.setBreakpoints(file, specs))));
    await this.setExceptionFilters(exceptionFilters);
    await this.dap.request('configurationDone');
    await attached;
    return bound;
  }

  async setBreakpoints(file: string, specs: DebugProtocol.SourceBreakpoint[]): Promise<DebugProtocol.Breakpoint[]> {
    const body = await this.dap.request<DebugProtocol.SetBreakpointsResponse['body']>('setBreakpoints', {
      source: { path: file, name: path.basename(file) },
      breakpoints: specs,
      lines: specs.map((s) => s.line),
    });
    return body.breakpoints;
  }

  async setExceptionFilters(filters: string[]): Promise<void> {
    await this.dap.request('setExceptionBreakpoints', { filters });
  }

  async resume(): Promise<void> {
    const threadId = this.takeStopped();
    await this.dap.request('continue', { threadId });
  }

  async step(kind: StepKind): Promise<void> {
    const threadId = this.takeStopped();
    await this.dap.request(kind, { threadId });
  }

  async pause(): Promise<void> {
    const body = await this.dap.request<DebugProtocol.ThreadsResponse['body']>('threads');
    const main = body.threads.find((t) => t.name === 'MainThread') ?? body.threads[0];
    if (main) await this.dap.request('pause', { threadId: main.id });
  }

  /** A request about the stopped state (stack, scopes, variables, evaluation, source), for debugpy's current stop. */
  request<T>(command: string, args: Record<string, unknown>): Promise<T> {
    return this.dap.request<T>(command, args);
  }

  /** debugpy's id of the stopped Python thread, for requests that name one. */
  get remoteThreadId(): number | undefined {
    return this.stoppedThreadId;
  }

  /** Stops debugging: debugpy lets go and the process runs on its own. */
  async detach(): Promise<void> {
    if (this.ended) return;
    try {
      await this.dap.request('disconnect', { terminateDebuggee: false });
    } catch {
      // already gone
    }
    this.end();
  }

  /** The process is gone (or let go): the thread ends. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    const wasPaused = this.isPaused;
    this.setStopped(undefined);
    this.dap.close();
    this.listener.ended(this, wasPaused);
  }

  private takeStopped(): number {
    const threadId = this.stoppedThreadId;
    if (threadId === undefined) throw new Error(`${this.name} is running, not paused.`);
    this.setStopped(undefined);
    return threadId;
  }

  private setStopped(threadId: number | undefined): void {
    const changed = (threadId === undefined) !== (this.stoppedThreadId === undefined);
    this.stoppedThreadId = threadId;
    if (changed) this.listener.pausedChanged(this, threadId !== undefined);
  }

  private onEvent(e: DebugProtocol.Event): void {
    switch (e.event) {
      case 'stopped': {
        const body = (e as DebugProtocol.StoppedEvent).body;
        this.setStopped(body.threadId);
        this.listener.stopped(this, body);
        break;
      }
      case 'continued':
        this.setStopped(undefined);
        break;
      case 'breakpoint':
        this.listener.breakpointChanged(this, (e as DebugProtocol.BreakpointEvent).body.breakpoint);
        break;
      case 'output': {
        const body = (e as DebugProtocol.OutputEvent).body;
        if (body.category !== 'telemetry') this.listener.output(this, body);
        break;
      }
      case 'terminated':
      case 'exited':
        this.end();
        break;
    }
  }
}
