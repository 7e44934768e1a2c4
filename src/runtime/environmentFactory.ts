// How an execution environment of a function version is made: the code built, the layers
// materialised as /opt, the runtime family's launch (debugged or not), and the handler process
// either spawned or taken from the pre-started ones.
import { externalExtensions } from './environment/environmentExtensions';
import { DEFAULT_HOST_ALLOWLIST } from './environment/environmentVariables';
import { ExecutionEnvironment } from './environment/executionEnvironment';
import { PrestartedProcesses } from './environment/prestartedProcesses';
import { functionNotRunnable } from './errors/serviceErrors';
import { familyOf } from './families/runtimeFamilies';
import { isLaunchFailure, type FamilyLauncher, type ProcessLaunch, type RuntimeFamily } from './families/runtimeFamily';
import type { FunctionConfig } from './functionConfig';
import type { LogStore } from './logs/logStore';
import type { RuntimeEventEmitter } from './runtimeEvents';
import type { LayerMaterializer, RuntimeOptions } from './runtimeOptions';

export interface EnvironmentFactoryHost {
  readonly options: RuntimeOptions;
  region(): string;
  accountId(): string;
  readonly events: RuntimeEventEmitter;
  /** Builds $LATEST of an esbuild function (no-op when built). */
  ensureBuilt(fn: FunctionConfig): Promise<void>;
  layerMaterializer(): LayerMaterializer | undefined;
  /** Whether a debug session wants this function version's environments. */
  shouldDebug(fn: FunctionConfig, version: string): boolean;
  /** Variables a durable function's process needs to reach the runtime's durable endpoint. */
  durableEnv(): Promise<ProcessLaunch['env']>;
  logStoreFor(fn: FunctionConfig): LogStore;
}

export class EnvironmentFactory {
  private readonly launchers = new Map<RuntimeFamily, FamilyLauncher>();
  private readonly prestarted = new Map<RuntimeFamily, PrestartedProcesses>();

  constructor(private readonly host: EnvironmentFactoryHost) {}

  /** Creates (does not start) an environment; `provisioned` ones initialise ahead of any invocation. */
  async create(fn: FunctionConfig, version: string, ordinal: number, provisioned = false): Promise<ExecutionEnvironment> {
    const { host } = this;
    if (version === '$LATEST' && fn.build) await host.ensureBuilt(fn);
    const optDir = await host.layerMaterializer()?.(fn, version);
    const family = familyOf(fn.runtime);
    if (!family) throw functionNotRunnable(fn.functionName, `no runtime family runs ${fn.runtime}`);
    const debug = host.shouldDebug(fn, version);
    let launch = await this.launcherFor(family).launch({ fn, optDir, debug });
    if (fn.durableConfig && !isLaunchFailure(launch)) launch = { ...launch, env: { ...launch.env, ...(await host.durableEnv()) } };
    return new ExecutionEnvironment({
      id: `${fn.functionName}:${version}:${ordinal}`,
      ordinal,
      fn,
      version,
      region: host.region(),
      accountId: host.accountId(),
      freeze: host.options.freeze ?? true,
      debug,
      family,
      launch,
      optDir,
      initializationType: provisioned ? 'provisioned-concurrency' : 'on-demand',
      // With external extensions Lambda starts the runtime after them, not before.
      spawnProcess:
        (!debug || family.prestart?.debugged) && host.options.prestart !== false && externalExtensions(optDir).length === 0
          ? this.prestartedFor(family)?.take
          : undefined,
      hostAllowlist: host.options.hostEnvAllowlist ?? DEFAULT_HOST_ALLOWLIST,
      hostEnv: host.options.awsProfile ? { ...process.env, AWS_PROFILE: host.options.awsProfile } : process.env,
      logStore: host.logStoreFor(fn),
      events: host.events,
    });
  }

  private launcherFor(family: RuntimeFamily): FamilyLauncher {
    let launcher = this.launchers.get(family);
    if (!launcher) {
      const { options, events } = this.host;
      launcher = family.launcher({
        // Read at each launch: settings may change while the runtime lives.
        get binaries() {
          return { ...options.nodeBinaries, ...options.pythonBinaries };
        },
        diagnostic: (level, message, runtimeVersion) =>
          events.emit('diagnostic', { level, message, ...(runtimeVersion && { runtimeVersion }) }),
        progress: (message, runtimeVersion) =>
          events.emit('diagnostic', { level: 'info', message, progress: true, ...(runtimeVersion && { runtimeVersion }) }),
      });
      this.launchers.set(family, launcher);
    }
    return launcher;
  }

  /** The family's waiting processes, if its bootstrap can wait for a handover. */
  private prestartedFor(family: RuntimeFamily): PrestartedProcesses | undefined {
    if (!family.prestart) return undefined;
    let prestarted = this.prestarted.get(family);
    if (!prestarted) {
      const warmDebugger = this.host.options.prestartDebugger === true && family.prestart.warmsDebugger === true;
      this.prestarted.set(family, (prestarted = new PrestartedProcesses(family.prestart, { warmDebugger })));
    }
    return prestarted;
  }

  /** Ends the pre-started processes waiting for an environment. */
  dispose(): void {
    for (const prestarted of this.prestarted.values()) prestarted.dispose();
  }
}
