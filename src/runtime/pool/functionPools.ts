// Every environment pool of the runtime, one per function version, and what spans them: the
// concurrency slots all versions of a function share (reserved concurrency), provisioned
// concurrency per version, and finding, listing and stopping environments across pools.
import type { ExecutionEnvironment } from '../environment/executionEnvironment';
import type { FunctionConfig } from '../functionConfig';
import type { EnvironmentInfo, StopReason } from '../runtimeEvents';
import { EnvironmentPool, type ConcurrencySlots, type ProvisionedState } from './environmentPool';

export interface FunctionPoolsOptions {
  /** Environments allowed at once for a function, all versions together. */
  limit(functionName: string): number;
  idleTimeoutMs(): number;
  /** Creates (does not start) an environment of the function version. */
  create(fn: FunctionConfig, version: string, ordinal: number, provisioned: boolean): Promise<ExecutionEnvironment>;
}

export class FunctionPools {
  /** `functionName:version` → pool. */
  private readonly pools = new Map<string, EnvironmentPool>();
  private readonly slots = new Map<string, ConcurrencySlots>();

  constructor(private readonly options: FunctionPoolsOptions) {}

  /** The pool of one version of a function, created on first use. */
  poolFor(fn: FunctionConfig, version: string): EnvironmentPool {
    const key = `${fn.functionName}:${version}`;
    let pool = this.pools.get(key);
    if (!pool) {
      pool = new EnvironmentPool({
        functionName: fn.functionName,
        limit: () => this.options.limit(fn.functionName),
        slots: this.slotsFor(fn.functionName),
        idleTimeoutMs: () => this.options.idleTimeoutMs(),
        create: (ordinal, provisioned) => this.options.create(fn, version, ordinal, provisioned),
      });
      this.pools.set(key, pool);
    }
    return pool;
  }

  /** The pool of one version, if it was ever used. */
  get(functionName: string, version: string): EnvironmentPool | undefined {
    return this.pools.get(`${functionName}:${version}`);
  }

  private slotsFor(functionName: string): ConcurrencySlots {
    let slots = this.slots.get(functionName);
    if (!slots) this.slots.set(functionName, (slots = { used: 0 }));
    return slots;
  }

  /** An environment stopped (whatever the reason): its pool lets go of it and of its slot. */
  forget(info: EnvironmentInfo): void {
    this.get(info.functionName, info.version)?.forget(info.id);
  }

  /**
   * Provisioned concurrency of one version: `count` environments initialised ahead of any
   * invocation (0 releases them). Resolves when they have initialised or one failed to.
   */
  provision(fn: FunctionConfig, version: string, count: number): Promise<void> {
    return this.poolFor(fn, version).provision(count);
  }

  provisionedState(functionName: string, version: string): ProvisionedState | undefined {
    return this.get(functionName, version)?.provisionedState();
  }

  /**
   * Reserved concurrency was lowered: environments above the new limit are retired (idle ones
   * now, busy ones after their invocation), as Lambda does not keep more running than reserved.
   */
  enforceLimit(functionName: string): void {
    const slots = this.slots.get(functionName);
    if (!slots) return;
    let excess = slots.used - this.options.limit(functionName);
    for (const [key, pool] of this.pools) {
      if (excess <= 0) return;
      if (key.startsWith(`${functionName}:`)) excess -= pool.shed(excess, 'config-changed');
    }
  }

  /** Takes the environments of every version of a function out of service: `gently` lets busy ones finish. */
  async stopFunction(functionName: string, reason: StopReason, gently = false): Promise<void> {
    for (const [key, pool] of this.pools) {
      if (!key.startsWith(`${functionName}:`)) continue;
      await (gently ? pool.retire(reason) : pool.stopAll(reason));
    }
  }

  /** Live environments of one function (or all). */
  environments(functionName?: string): EnvironmentInfo[] {
    return [...this.pools.entries()]
      .filter(([key]) => functionName === undefined || key.startsWith(`${functionName}:`))
      .flatMap(([, pool]) =>
        pool
          .list()
          .filter((e) => e.alive)
          .map((e) => e.info()),
      );
  }

  find(environmentId: string): ExecutionEnvironment | undefined {
    for (const pool of this.pools.values()) {
      const env = pool.list().find((e) => e.id === environmentId);
      if (env) return env;
    }
    return undefined;
  }

  stopAll(reason: StopReason, opts: { drain?: boolean } = {}): Promise<void> {
    return Promise.all([...this.pools.values()].map((p) => p.stopAll(reason, opts))).then(() => undefined);
  }
}
