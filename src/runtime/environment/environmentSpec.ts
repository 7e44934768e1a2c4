// What an execution environment is started with: its function and version, where it runs
// (region, account, layers), how its process starts, and the runtime's shared services.
import type { LaunchFailure, ProcessLaunch, RuntimeFamily } from '../families/runtimeFamily';
import type { FunctionConfig } from '../functionConfig';
import type { LogStore } from '../logs/logStore';
import type { RuntimeEventEmitter } from '../runtimeEvents';
import type { InitializationType } from './environmentVariables';
import type { SpawnHandlerProcess } from './handlerProcess';
import type { RuntimeApiEndpoint, RuntimeApiHandlers } from './runtimeApiServer';

export interface EnvironmentSpec {
  id: string;
  ordinal: number;
  fn: FunctionConfig;
  version: string;
  region: string;
  accountId: string;
  freeze: boolean;
  /** Start with the debugger endpoint open and the bootstrap waiting for a debugger. */
  debug: boolean;
  /** The runtime family that runs fn.runtime, and how it starts this environment's process. */
  family: RuntimeFamily;
  launch: ProcessLaunch | LaunchFailure;
  optDir?: string;
  /** Provisioned environments initialise ahead: their first invocation is no cold start and reports no Init Duration. */
  initializationType?: InitializationType;
  hostAllowlist: string[];
  /** The host variables the allowlist picks from (default process.env). */
  hostEnv?: NodeJS.ProcessEnv;
  logStore: LogStore;
  events: RuntimeEventEmitter;
  /** Starts the handler process (default: a real one; unit tests pass a fake). */
  spawnProcess?: SpawnHandlerProcess;
  /** Opens the Runtime API endpoint (default: a real HTTP server; unit tests pass a fake). */
  openRuntimeApi?: (handlers: RuntimeApiHandlers) => RuntimeApiEndpoint;
}
