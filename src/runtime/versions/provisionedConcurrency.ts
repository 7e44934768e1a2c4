// Provisioned concurrency configurations of published versions and aliases (Put/Get/List/
// DeleteProvisionedConcurrencyConfig, SAM's ProvisionedConcurrencyConfig on the AutoPublishAlias).
// A configuration on an alias provisions the version the alias points to, and follows the alias
// when it moves. Configurations are kept with the function's versions and aliases in the state
// folder, so they outlive `serve` and are provisioned again when it starts; the environments
// themselves are the runtime's pools'.
import { conflict, invalidParameter, LambdaServiceError } from '../errors/serviceErrors';
import type { FunctionConfig } from '../functionConfig';
import type { LocalRuntime } from '../localRuntime';
import type { ProvisionedState } from '../pool/environmentPool';
import { awsDate } from '../store/awsDate';
import type { StoredProvisionedConfig, VersionStore } from './versionStore';

export interface ProvisionedConfig extends StoredProvisionedConfig {
  /** The version whose environments are provisioned (the alias's, for an alias). */
  version: string;
}

export interface ProvisionedConfigStatus extends ProvisionedConfig, ProvisionedState {}

export const provisionedConfigNotFound = () =>
  new LambdaServiceError('ProvisionedConcurrencyConfigNotFoundException', 'No Provisioned Concurrency Config found for this function', 404);

export class ProvisionedConcurrencyConfigs {
  /** functionName → qualifier → the version this process provisions for it now. */
  private readonly active = new Map<string, Map<string, string>>();
  /** Reapplications of one function run one after another. */
  private readonly queues = new Map<string, Promise<void>>();

  constructor(
    private readonly runtime: LocalRuntime,
    private readonly versions: VersionStore,
  ) {}

  /**
   * PutProvisionedConcurrencyConfig: answers at once (IN_PROGRESS); `ready` resolves when the
   * environments have initialised (or failed to).
   */
  async put(fn: FunctionConfig, qualifier: string, requested: number): Promise<{ status: ProvisionedConfigStatus; ready: Promise<void> }> {
    if (qualifier === '$LATEST')
      throw invalidParameter('Provisioned Concurrency Configs cannot be applied to unpublished function versions.');
    if (!Number.isInteger(requested) || requested < 1) {
      throw invalidParameter('ProvisionedConcurrentExecutions must be a whole number of 1 or more.');
    }
    const { version } = await this.target(fn, qualifier);
    const own = await this.configs(fn);
    for (const other of own) {
      if (other.qualifier !== qualifier && other.version === version) {
        throw conflict(
          `Version ${version} of ${fn.functionName} already has provisioned concurrency through ${this.versions.arn(fn, other.qualifier)}; ` +
            'delete that configuration first.',
        );
      }
    }
    const othersTotal = own.filter((c) => c.qualifier !== qualifier).reduce((n, c) => n + c.requested, 0);
    const limit = this.runtime.concurrencyLimit(fn.functionName);
    if (requested + othersTotal > limit) {
      throw invalidParameter(
        `Requested Provisioned Concurrency (${requested}${othersTotal ? ` plus ${othersTotal} on other versions` : ''}) should not be greater than ` +
          `the concurrency limit of function ${fn.functionName} (${limit}: its reserved concurrency, else Lambda Lab's per-function cap, lambdaLab.concurrencyCap).`,
      );
    }
    const config: ProvisionedConfig = { qualifier, requested, lastModified: awsDate(), version };
    const previous = this.activeOf(fn).get(qualifier);
    this.activeOf(fn).set(qualifier, version);
    if (previous !== undefined && previous !== version) await this.runtime.provisionConcurrency(fn.functionName, previous, 0);
    const ready = this.runtime.provisionConcurrency(fn.functionName, version, requested);
    // As Put answers it: before the environments had a chance to initialise.
    const status = this.status(fn, config);
    await this.versions.setProvisionedConfig(fn, qualifier, { qualifier, requested, lastModified: config.lastModified });
    return { status, ready };
  }

  async get(fn: FunctionConfig, qualifier: string): Promise<ProvisionedConfigStatus> {
    const config = (await this.configs(fn)).find((c) => c.qualifier === qualifier);
    if (!config) throw provisionedConfigNotFound();
    return this.status(fn, config);
  }

  async list(fn: FunctionConfig): Promise<ProvisionedConfigStatus[]> {
    return (await this.configs(fn)).map((c) => this.status(fn, c));
  }

  async delete(fn: FunctionConfig, qualifier: string): Promise<void> {
    const config = (await this.configs(fn)).find((c) => c.qualifier === qualifier);
    if (!config) throw provisionedConfigNotFound();
    await this.versions.setProvisionedConfig(fn, qualifier, undefined);
    this.activeOf(fn).delete(qualifier);
    await this.runtime.provisionConcurrency(fn.functionName, config.version, 0);
  }

  /** SAM's ProvisionedConcurrencyConfig: applied to the AutoPublishAlias after each template load. */
  async applyTemplate(fn: FunctionConfig): Promise<void> {
    if (!fn.autoPublishAlias) return;
    const stored = (await this.versions.provisionedConfigs(fn)).find((c) => c.qualifier === fn.autoPublishAlias);
    if (fn.provisionedConcurrency === undefined) {
      if (stored) await this.delete(fn, fn.autoPublishAlias);
      return;
    }
    if (stored?.requested === fn.provisionedConcurrency) return;
    const { ready } = await this.put(fn, fn.autoPublishAlias, fn.provisionedConcurrency);
    // A failed init shows as Status FAILED and in the environment's log stream.
    void ready.catch(() => undefined);
  }

  /**
   * Provisions every stored configuration where it now points: after a start (restoring what
   * was set before), an alias move (UpdateAlias, AutoPublishAlias), a template reload that
   * retired the environments, or a change another Lambda Lab process made. A configuration
   * whose version or alias was deleted goes with it, as on Lambda.
   */
  reapply(fn: FunctionConfig): Promise<void> {
    const queued = (this.queues.get(fn.functionName) ?? Promise.resolve()).then(() => this.reapplyNow(fn));
    const tail = queued.catch(() => undefined);
    this.queues.set(fn.functionName, tail);
    void tail.then(() => this.queues.get(fn.functionName) === tail && this.queues.delete(fn.functionName));
    return queued;
  }

  private async reapplyNow(fn: FunctionConfig): Promise<void> {
    const active = this.activeOf(fn);
    const stored = await this.versions.provisionedConfigs(fn);
    for (const [qualifier, version] of [...active]) {
      if (stored.some((c) => c.qualifier === qualifier)) continue;
      active.delete(qualifier);
      await this.runtime.provisionConcurrency(fn.functionName, version, 0);
    }
    for (const config of stored) {
      let version: string;
      try {
        ({ version } = await this.target(fn, config.qualifier));
      } catch (err) {
        if (err instanceof LambdaServiceError && err.statusCode === 404)
          await this.versions.setProvisionedConfig(fn, config.qualifier, undefined);
        continue;
      }
      const previous = active.get(config.qualifier);
      const state = this.runtime.provisionedConcurrency(fn.functionName, version);
      if (version === previous && state?.requested === config.requested) continue;
      if (previous !== undefined && previous !== version) await this.runtime.provisionConcurrency(fn.functionName, previous, 0);
      active.set(config.qualifier, version);
      void this.runtime.provisionConcurrency(fn.functionName, version, config.requested).catch(() => undefined);
    }
  }

  private status(fn: FunctionConfig, config: ProvisionedConfig): ProvisionedConfigStatus {
    const state = this.runtime.provisionedConcurrency(fn.functionName, config.version) ?? {
      requested: config.requested,
      allocated: 0,
      available: 0,
      status: 'IN_PROGRESS',
    };
    return { ...config, ...state, requested: config.requested };
  }

  /** The stored configurations, each with the version it provisions (the one active here, else where it points now). */
  private async configs(fn: FunctionConfig): Promise<ProvisionedConfig[]> {
    const active = this.activeOf(fn);
    const stored = await this.versions.provisionedConfigs(fn);
    return Promise.all(
      stored.map(async (c) => ({
        ...c,
        version: active.get(c.qualifier) ?? (await this.target(fn, c.qualifier).catch(() => ({ version: c.qualifier }))).version,
      })),
    );
  }

  /** The version a qualifier provisions; the version or alias must exist. */
  private async target(fn: FunctionConfig, qualifier: string): Promise<{ version: string }> {
    if (/^\d+$/.test(qualifier)) {
      await this.versions.version(fn, qualifier);
      return { version: qualifier };
    }
    return { version: (await this.versions.alias(fn, qualifier)).functionVersion };
  }

  private activeOf(fn: FunctionConfig): Map<string, string> {
    let own = this.active.get(fn.functionName);
    if (!own) this.active.set(fn.functionName, (own = new Map()));
    return own;
  }
}
