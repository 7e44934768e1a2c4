// Everything extensions add to one execution environment: the external extension processes
// (the executables of the merged layers' `extensions/`, what Lambda has in /opt/extensions),
// their Extensions API and the Telemetry/Logs API, all on the Runtime API's endpoint. The
// environment calls the hooks below at each lifecycle point; with no extension registered and
// no subscriber they cost a few comparisons.
import * as fs from 'node:fs';
import type * as http from 'node:http';
import * as path from 'node:path';
import type { FunctionErrorBody } from '../errors/functionErrors';
import type { FunctionConfig } from '../functionConfig';
import type { StopReason } from '../runtimeEvents';
import { ExtensionsApi, type RegisteredExtension, type ShutdownEventBody } from './extensionsApi';
import { spawnHandlerProcess, type HandlerProcess, type OutputChannel, type SpawnHandlerProcess } from './handlerProcess';
import type { RuntimeApiEvent } from './runtimeApiServer';
import { TelemetryApi } from './telemetryApi';

/** Lambda's shutdown budget for the runtime and the external extensions together. */
export const SHUTDOWN_BUDGET_MS = 2_000;

export interface EnvironmentExtensionsSpec {
  fn: FunctionConfig;
  version: string;
  optDir?: string;
  /** A line of an extension's stdout/stderr, for the function's log stream. */
  onLogLine(line: string): void;
  /** A platform line (EXTENSION ...) for the log stream. */
  onPlatformLine(line: string): void;
  /** An extension failed in a way that fails init or ends the environment (an Extension.* error). */
  onFailure(error: FunctionErrorBody, phase: 'init' | 'invoke'): void;
  initializing(): boolean;
  spawnProcess?: SpawnHandlerProcess;
}

interface ExternalProcess {
  name: string;
  process: HandlerProcess;
  exited: Promise<void>;
  gone: boolean;
}

export class EnvironmentExtensions {
  readonly api: ExtensionsApi;
  readonly telemetry: TelemetryApi;
  private readonly externals: ExternalProcess[] = [];
  /** The live external extension processes (the environment freezes them with the runtime). */
  processes: readonly HandlerProcess[] = [];
  private onReady: (() => void) | undefined;
  private onRegistered: (() => void) | undefined;
  private shuttingDown = false;

  constructor(private readonly spec: EnvironmentExtensionsSpec) {
    this.api = new ExtensionsApi({
      registration: () => ({ functionName: spec.fn.functionName, functionVersion: spec.version, handler: spec.fn.handler }),
      canRegister: () => spec.initializing(),
      onRegistered: (ext) => this.registered(ext),
      onReady: () => {
        if (!this.api.allReady) return;
        const ready = this.onReady;
        this.onReady = undefined;
        ready?.();
      },
      // Lambda fails the phase with its own error type; the extension's type and message are in the message.
      onInitError: (ext, errorType, body) =>
        this.failed('Extension.InitError', `extension ${ext.name} failed to initialize (${errorType}): ${errorMessageOf(body)}`),
      onExitError: (ext, errorType, body) =>
        this.failed('Extension.ExitError', `extension ${ext.name} exited with ${errorType}: ${errorMessageOf(body)}`),
    });
    this.telemetry = new TelemetryApi({ extensionName: (id) => this.api.nameOf(id), initializing: () => spec.initializing() });
  }

  route(req: http.IncomingMessage, res: http.ServerResponse): boolean {
    return this.api.route(req, res) || this.telemetry.route(req, res);
  }

  /**
   * Starts the external extensions (before the runtime, as in Lambda) and resolves once each
   * has registered, or one has failed.
   */
  async start(env: Record<string, string>): Promise<void> {
    const executables = externalExtensions(this.spec.optDir);
    for (const file of executables) {
      const name = path.basename(file);
      const entry: ExternalProcess = { name, process: undefined!, exited: undefined!, gone: false };
      entry.exited = new Promise((resolve) => {
        entry.process = (this.spec.spawnProcess ?? spawnHandlerProcess)(
          { command: file, args: [], cwd: this.spec.optDir!, env },
          {
            onLine: (channel, line) => this.extensionLine(channel, line),
            onExit: (description) => {
              entry.gone = true;
              this.processes = this.live().map((p) => p.process);
              resolve();
              this.onRegistered?.();
              if (!this.shuttingDown) this.failed('Extension.Crash', `extension ${name} exited with error: ${description}`);
            },
          },
        );
      });
      this.externals.push(entry);
      this.processes = this.live().map((p) => p.process);
    }
    if (!executables.length) return;
    await new Promise<void>((resolve) => {
      this.onRegistered = () => {
        if (this.api.registered.length >= executables.length || this.externals.some((p) => p.gone)) resolve();
      };
      this.onRegistered();
    });
    this.onRegistered = undefined;
  }

  private live(): ExternalProcess[] {
    return this.externals.filter((p) => !p.gone);
  }

  /** Whether external extension processes are running. */
  get external(): boolean {
    return this.externals.some((p) => !p.gone);
  }

  /** Whether every extension is done with its last event (or its init). */
  get allReady(): boolean {
    return this.api.allReady;
  }

  /** Calls `ready` once every extension is done (replacing an earlier waiter). */
  whenReady(ready: () => void): void {
    if (this.api.allReady) return ready();
    this.onReady = ready;
  }

  /** Hands the invocation to the extensions registered for INVOKE. */
  invoke(event: RuntimeApiEvent): void {
    if (!this.api.subscribed('INVOKE')) return;
    this.api.dispatch({
      eventType: 'INVOKE',
      deadlineMs: event.deadlineMs,
      requestId: event.requestId,
      invokedFunctionArn: event.invokedFunctionArn,
      tracing: { type: 'X-Amzn-Trace-Id', value: event.traceId },
    });
  }

  /** Function output for telemetry subscribers (plain lines, or the bootstrap's structured records). */
  functionOutput(channel: OutputChannel, line: string): void {
    if (!this.telemetry.active) return;
    let text = line;
    if (channel === 'log') {
      try {
        text = JSON.parse(line).line ?? line;
      } catch {
        // a plain line on the structured channel: as it is
      }
    }
    this.telemetry.emit('function', 'function', text);
  }

  platform(type: string, record: () => unknown): void {
    if (this.telemetry.active) this.telemetry.emit('platform', type, record());
  }

  /**
   * The environment is ending: subscribers get what is buffered, extensions registered for
   * SHUTDOWN get the event and their budget, then every extension process is killed.
   */
  async shutdown(reason: StopReason): Promise<void> {
    this.shuttingDown = true;
    const live = this.live();
    const startedAt = Date.now();
    if (live.length) {
      // Subscribers get the last batch before SHUTDOWN, from a quarter of the budget at most.
      await Promise.race([this.telemetry.close(), delay(SHUTDOWN_BUDGET_MS / 4)]);
      const shutdownReason: ShutdownEventBody['shutdownReason'] =
        reason === 'timeout' ? 'timeout' : FAILURES.has(reason) ? 'failure' : 'spindown';
      const deadlineMs = startedAt + SHUTDOWN_BUDGET_MS;
      if (this.api.subscribed('SHUTDOWN')) {
        this.api.dispatch({ eventType: 'SHUTDOWN', shutdownReason, deadlineMs });
        // Done when each has called `next` again (or exited), or when the budget is spent.
        await Promise.race([
          new Promise<void>((resolve) => this.whenReady(resolve)),
          Promise.all(live.map((p) => p.exited)),
          delay(Math.max(0, deadlineMs - Date.now())),
        ]);
      }
      for (const p of live) p.process.kill();
      await Promise.all(live.map((p) => p.exited));
    } else {
      void this.telemetry.close();
    }
    this.api.close();
  }

  private registered(ext: RegisteredExtension) {
    this.platform('platform.extension', () => ({ name: ext.name, state: 'Ready', events: ext.events }));
    this.onRegistered?.();
  }

  /**
   * The log stream's lines for what registered and subscribed during init: Lambda writes them
   * when init ends, right before START (or INIT_REPORT when init failed).
   */
  logInit(): void {
    const json = this.spec.fn.loggingConfig.logFormat === 'JSON';
    const time = new Date().toISOString();
    for (const sub of this.telemetry.subscribed) {
      const record = { name: sub.extension, state: 'Subscribed', types: sub.types };
      const label = sub.api === 'telemetry' ? 'TELEMETRY' : 'LOGS';
      const types = sub.types.map((t) => t[0].toUpperCase() + t.slice(1)).join(', ');
      this.spec.onPlatformLine(
        json
          ? JSON.stringify({ time, type: `platform.${sub.api === 'telemetry' ? 'telemetry' : 'logs'}Subscription`, record })
          : `${label}\tName: ${sub.extension}\tState: Subscribed\tTypes: [${types}]`,
      );
    }
    for (const ext of this.api.registered) {
      const record = { name: ext.name, state: 'Ready', events: ext.events };
      this.spec.onPlatformLine(
        json
          ? JSON.stringify({ time, type: 'platform.extension', record })
          : `EXTENSION\tName: ${ext.name}\tState: Ready\tEvents: [${ext.events.join(', ')}]`,
      );
    }
  }

  private extensionLine(_channel: OutputChannel, line: string) {
    this.spec.onLogLine(line);
    if (this.telemetry.active) this.telemetry.emit('extension', 'extension', line);
  }

  private failed(errorType: string, errorMessage: string) {
    const payload = Buffer.from(JSON.stringify({ errorType, errorMessage }));
    this.spec.onFailure({ errorType, payload }, this.spec.initializing() ? 'init' : 'invoke');
  }
}

const FAILURES = new Set<StopReason>(['crash', 'init-error', 'out-of-memory']);

/** The executables in `<optDir>/extensions`, in name order (Lambda starts them all, unordered). */
export function externalExtensions(optDir: string | undefined): string[] {
  if (!optDir) return [];
  const dir = path.join(optDir, 'extensions');
  let names: string[];
  try {
    names = fs.readdirSync(dir).sort();
  } catch {
    return [];
  }
  return names
    .map((n) => path.join(dir, n))
    .filter((file) => {
      try {
        const st = fs.statSync(file);
        return st.isFile() && (st.mode & 0o111) !== 0;
      } catch {
        return false;
      }
    });
}

function errorMessageOf(body: Buffer): string {
  try {
    const parsed = JSON.parse(body.toString());
    if (typeof parsed?.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // not JSON
  }
  return body.length ? body.toString() : 'no details';
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());
