// What is language-specific about running a Lambda function, behind one interface: which
// binary runs it, its command line, the variables its runtime adds, where its handler's
// source is, how a debugger reaches it. The execution environment is the same for every
// family; a new language is a new folder here (node/, provided/, ...) plus one line in
// runtimeFamilies.ts, never a branch in environment/.
import type { FunctionErrorBody } from '../errors/functionErrors';
import type { RuntimeVersionNote } from '../runtimeEvents';
import type { FunctionConfig } from '../functionConfig';

/** How the debug adapter talks to a debugged handler process. */
export type DebugBridge =
  | 'cdp' // Chrome DevTools Protocol over the V8 inspector's WebSocket (Node)
  | 'dap' // Debug Adapter Protocol spoken by an in-process debugger (debugpy)
  | 'none'; // not debuggable: invocations run without breakpoints

export interface LaunchRequest {
  fn: FunctionConfig;
  /** The function version's layers merged into one folder laid out like /opt, if it has any. */
  optDir?: string;
  /** Start with the debugger endpoint open and wait for a debugger before init. */
  debug: boolean;
}

/** What a family's launcher gets from the runtime that holds it. */
export interface FamilyHost {
  /** Binaries the user mapped to runtimes (`{"nodejs22.x": "/opt/node22/bin/node"}`). */
  binaries: Record<string, string>;
  /** Progress and warnings for the user (the runtime's `diagnostic` event). */
  diagnostic(level: 'info' | 'warning', message: string, runtimeVersion?: RuntimeVersionNote): void;
  /** A long step the user waits for before the process can start (e.g. installing a binary). */
  progress(message: string, runtimeVersion?: RuntimeVersionNote): void;
}

/**
 * Prepares handler processes of one family for one runtime instance; it may keep state
 * between launches (binaries found or provisioned, warnings already given).
 */
export interface FamilyLauncher {
  /** The command line of one handler process, or why it cannot start. */
  launch(request: LaunchRequest): Promise<ProcessLaunch | LaunchFailure>;
}

/** How to start a handler process; environment variables come on top of Lambda's own. */
export interface ProcessLaunch {
  command: string;
  args: string[];
  /**
   * The family's variables (NODE_PATH, the log fd, the debugger wait, ...). One the function
   * sets itself wins over the family's, as NODE_PATH does in Lambda; reserved ones never do.
   */
  env: Record<string, string>;
  /** Folder put first on PATH, as /var/lang/bin is in Lambda (the language's own binaries). */
  binDir?: string;
  /**
   * File descriptor (≥ 3) on which the process writes structured log records
   * (bootstrapProtocol's BootstrapLogRecord, one JSON object per line), if its bootstrap does.
   */
  logFd?: number;
  /** Its bootstrap reaches the Runtime API on the local socket named in RUNTIME_API_SOCKET_ENV when given one. */
  localRuntimeApi?: boolean;
}

/** The process cannot start: the first invocation fails with this init error, as in Lambda. */
export interface LaunchFailure {
  initError: FunctionErrorBody;
}

/** What a line the handler process wrote on stderr means to the platform. */
export type StderrMeaning =
  | { kind: 'log' } // the function's own output: a log line
  | { kind: 'noise' } // the runtime's chatter Lambda would not show (debugger banners)
  | { kind: 'debugger-ready'; url: string } // the debugger endpoint listens (debugged environments)
  | { kind: 'out-of-memory' }; // the runtime ran out of memory; still logged

/** Where a handler is defined in the user's source (for CodeLens, reveal, debug configs). */
export interface HandlerLocation {
  file: string;
  /** 0-based line of the definition, 0 when it could not be found. */
  line: number;
  /** The handler's name within its module (`handler`, `a.b`). */
  exportName: string;
}

/** How a family's bootstrap waits, started ahead, for the function that takes it (environment/prestartedProcesses). */
export interface PrestartRules {
  /** Variables read only as the process starts, and only the odd function sets: a function setting one gets a spawned process. */
  skip?: RegExp;
  /**
   * Variables read only as the process starts, and the same for most functions: the waiting
   * process starts with the function's values of them, and waits for functions with the same values.
   */
  carry?: RegExp;
  /** A debugged start may take a waiting process too (its bootstrap opens the debugger's connection itself). */
  debugged?: boolean;
  /** Its bootstrap can load the debugger's support while it waits (PRESTART_WARM_DEBUGGER_ENV). */
  warmsDebugger?: boolean;
}

export interface RuntimeFamily {
  /** Folder name under families/, e.g. `node`. */
  readonly name: string;
  /** The Lambda `Runtime` values this family runs, e.g. `nodejs22.x`. */
  readonly runtimes: readonly string[];
  readonly debugBridge: DebugBridge;
  /** VS Code language ids of the family's source files (breakpoints, inline logs); empty if none. */
  readonly sourceLanguages: readonly string[];
  /** Whether its log records carry the call site of the logging call (`source`), for inline logs. */
  readonly logCallSites: boolean;
  /** Set when its bootstrap can be started ahead of the function that takes it; a debugged start never is. */
  readonly prestart?: PrestartRules;
  /** A launcher for one runtime instance (LocalRuntime creates one per family it uses). */
  launcher(host: FamilyHost): FamilyLauncher;
  stderrMeaning(line: string): StderrMeaning;
  /** The handler's definition in source, resolved as the family's runtime resolves `Handler`. */
  locateHandler(fn: FunctionConfig, text?: string): HandlerLocation | undefined;
}

export function isLaunchFailure(launch: ProcessLaunch | LaunchFailure): launch is LaunchFailure {
  return 'initError' in launch;
}
