// Fakes for driving ExecutionEnvironment's state machine without processes or sockets: a
// handler process whose exit, output and memory the test decides, and a Runtime API endpoint
// whose polls and answers the test makes.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ExecutionEnvironment, type EnvironmentSpec } from '../../src/runtime/environment/executionEnvironment';
import type { HandlerProcess, HandlerProcessEvents, HandlerProcessSpec } from '../../src/runtime/environment/handlerProcess';
import type { RuntimeApiEndpoint, RuntimeApiEvent, RuntimeApiHandlers } from '../../src/runtime/environment/runtimeApiServer';
import { nodeFamily } from '../../src/runtime/families/node/nodeFamily';
import type { FunctionConfig } from '../../src/runtime/functionConfig';
import { LogStore } from '../../src/runtime/logs/logStore';
import { RuntimeEventEmitter, type LogRecord, type StopReason } from '../../src/runtime/runtimeEvents';

export class FakeProcess implements HandlerProcess {
  readonly pid = 4242;
  frozen = false;
  killed = false;
  drained = false;
  residentMBValue = 40;
  /** Calls in order: freeze, thaw, kill, drain. */
  readonly calls: string[] = [];

  constructor(
    readonly spec: HandlerProcessSpec,
    readonly events: HandlerProcessEvents,
  ) {}

  freeze(): boolean {
    this.calls.push('freeze');
    this.frozen = true;
    return !this.killed;
  }

  thaw(): void {
    this.calls.push('thaw');
    this.frozen = false;
  }

  kill(): void {
    this.calls.push('kill');
    if (this.killed) return;
    this.killed = true;
    setImmediate(() => this.events.onExit('signal: killed'));
  }

  drain(): void {
    this.calls.push('drain');
    this.drained = true;
  }

  /** The process ends by itself (a crash, an exit). */
  exit(description = 'exit status 1'): void {
    this.killed = true;
    this.events.onExit(description);
  }

  residentMB(): number | undefined {
    return this.killed ? undefined : this.residentMBValue;
  }

  peakResidentMB(): number | undefined {
    return this.killed ? undefined : this.residentMBValue;
  }
}

export class FakeRuntimeApi implements RuntimeApiEndpoint {
  polling = false;
  closed = false;
  readonly delivered: RuntimeApiEvent[] = [];
  /** Resolves listen(); tests may hold it to stop the environment while its endpoint opens. */
  opened: Promise<void> = Promise.resolve();

  constructor(readonly handlers: RuntimeApiHandlers) {}

  async listen(): Promise<string> {
    await this.opened;
    return '127.0.0.1:9001';
  }

  deliver(event: RuntimeApiEvent): void {
    this.delivered.push(event);
    this.polling = false;
  }

  close(): void {
    this.closed = true;
  }

  /** The runtime client polls `next` (the first poll ends init). */
  poll(): void {
    this.polling = true;
    this.handlers.onNext();
  }

  respond(requestId: string, body: unknown): void {
    this.handlers.onOutcome({ kind: 'response', requestId, payload: Buffer.from(JSON.stringify(body)), streamed: false });
  }

  fail(requestId: string, errorType: string): void {
    this.handlers.onOutcome({
      kind: 'error',
      requestId,
      payload: Buffer.from(JSON.stringify({ errorType, errorMessage: 'boom' })),
      errorType,
    });
  }
}

export function fakeFunction(overrides: Partial<FunctionConfig> = {}): FunctionConfig {
  return {
    logicalId: 'Fn',
    functionName: 'fn',
    runtime: 'nodejs20.x',
    handler: 'app.handler',
    codeDir: '/code',
    memorySize: 128,
    timeout: 3,
    environment: {},
    architectures: ['x86_64'],
    loggingConfig: { logFormat: 'Text', logGroup: '/aws/lambda/fn' },
    ephemeralStorage: 512,
    layers: [],
    templatePath: '/t.yaml',
    position: { line: 1, column: 1 },
    ...overrides,
  };
}

export interface FakeEnvironment {
  env: ExecutionEnvironment;
  events: RuntimeEventEmitter;
  api: FakeRuntimeApi;
  /** The process, once the environment spawned it. */
  process: () => FakeProcess;
  spawned: () => boolean;
  logs: LogRecord[];
  stopped: Promise<StopReason>;
  dispose: () => void;
}

/**
 * Log folders of fake environments, removed again at exit: an environment whose stop was still
 * under way at dispose() writes its stream's last lines later, and the writer recreates the folder.
 */
const logDirs = new Set<string>();
process.once('exit', () => logDirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

export function fakeEnvironment(opts: Partial<EnvironmentSpec> & { fn?: FunctionConfig } = {}): FakeEnvironment {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'env-fake-'));
  logDirs.add(dir);
  const events = new RuntimeEventEmitter();
  const logs: LogRecord[] = [];
  events.on('log', (r) => logs.push(r));
  let api!: FakeRuntimeApi;
  let proc: FakeProcess | undefined;
  const stopped = new Promise<StopReason>((resolve) => events.on('environmentStopped', (_info, reason) => resolve(reason)));
  const env = new ExecutionEnvironment({
    id: 'fn:$LATEST:1',
    ordinal: 1,
    fn: opts.fn ?? fakeFunction(),
    version: '$LATEST',
    region: 'us-east-1',
    accountId: '123456789012',
    freeze: true,
    debug: false,
    family: nodeFamily,
    launch: { command: 'node', args: [], env: {}, logFd: 3 },
    hostAllowlist: [],
    logStore: new LogStore(dir),
    events,
    spawnProcess: (spec, handlers) => (proc = new FakeProcess(spec, handlers)),
    openRuntimeApi: (handlers) => (api = new FakeRuntimeApi(handlers)),
    ...opts,
  });
  return {
    env,
    events,
    api,
    process: () => proc!,
    spawned: () => proc !== undefined,
    logs,
    stopped,
    dispose: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

export const tick = () => new Promise<void>((resolve) => setImmediate(resolve));
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
