// Provisioned concurrency configurations of published versions and aliases (Put/Get/List/
// DeleteProvisionedConcurrencyConfig, SAM's ProvisionedConcurrencyConfig on the AutoPublishAlias).
// A configuration on an alias provisions the version the alias points to, and follows the alias
// when it moves. The environments themselves are the runtime's pools'; this keeps what was asked.
import { conflict, invalidParameter, LambdaServiceError } from '../errors/serviceErrors';
import type { FunctionConfig } from '../functionConfig';
import type { LocalRuntime } from '../localRuntime';
import type { ProvisionedState } from '../pool/environmentPool';
import { awsDate } from '../store/awsDate';
import type { VersionStore } from './versionStore';

export interface ProvisionedConfig {
  qualifier: string;
  requested: number;
  lastModified: string;
  /** The version whose environments are provisioned (the alias's, for an alias). */
  version: string;
}

export interface ProvisionedConfigStatus extends ProvisionedConfig, ProvisionedState {}

export const provisionedConfigNotFound = () =>
  new LambdaServiceError('ProvisionedConcurrencyConfigNotFoundException', 'No Provisioned Concurrency Config found for this function', 404);

export class ProvisionedConcurrencyConfigs {
  /** functionName → qualifier → configuration. */
  private readonly configs = new Map<string, Map<string, ProvisionedConfig>>();

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
    const own = this.of(fn);
    for (const other of own.values()) {
      if (other.qualifier !== qualifier && other.version === version) {
        throw conflict(
          `Version ${version} of ${fn.functionName} already has provisioned concurrency through ${this.versions.arn(fn, other.qualifier)}; ` +
            'delete that configuration first.',
        );
      }
    }
    const othersTotal = [...own.values()].filter((c) => c.qualifier !== qualifier).reduce((n, c) => n + c.requested, 0);
    const limit = this.runtime.concurrencyLimit(fn.functionName);
    if (requested + othersTotal > limit) {
      throw invalidParameter(
        `Requested Provisioned Concurrency (${requested}${othersTotal ? ` plus ${othersTotal} on other versions` : ''}) should not be greater than ` +
          `the concurrency limit of function ${fn.functionName} (${limit}: its reserved concurrency, else Lambda Lab's per-function cap, lambdaLab.concurrencyCap).`,
      );
    }
    const previous = own.get(qualifier);
    const config: ProvisionedConfig = { qualifier, requested, lastModified: awsDate(), version };
    own.set(qualifier, config);
    if (previous && previous.version !== version) await this.runtime.provisionConcurrency(fn.functionName, previous.version, 0);
    const ready = this.runtime.provisionConcurrency(fn.functionName, version, requested);
    return { status: this.status(fn, config), ready };
  }

  get(fn: FunctionConfig, qualifier: string): ProvisionedConfigStatus {
    const config = this.of(fn).get(qualifier);
    if (!config) throw provisionedConfigNotFound();
    return this.status(fn, config);
  }

  list(fn: FunctionConfig): ProvisionedConfigStatus[] {
    return [...this.of(fn).values()].map((c) => this.status(fn, c));
  }

  async delete(fn: FunctionConfig, qualifier: string): Promise<void> {
    const own = this.of(fn);
    const config = own.get(qualifier);
    if (!config) throw provisionedConfigNotFound();
    own.delete(qualifier);
    await this.runtime.provisionConcurrency(fn.functionName, config.version, 0);
  }

  /** SAM's ProvisionedConcurrencyConfig: applied to the AutoPublishAlias after each template load. */
  async applyTemplate(fn: FunctionConfig): Promise<void> {
    if (!fn.autoPublishAlias) return;
    if (fn.provisionedConcurrency === undefined) {
      if (this.of(fn).has(fn.autoPublishAlias)) await this.delete(fn, fn.autoPublishAlias);
      return;
    }
    const { ready } = await this.put(fn, fn.autoPublishAlias, fn.provisionedConcurrency);
    // A failed init shows as Status FAILED and in the environment's log stream.
    void ready.catch(() => undefined);
  }

  /**
   * An alias moved (UpdateAlias, AutoPublishAlias) or the template reload retired the
   * environments: provision again where each configuration now points.
   */
  async reapply(fn: FunctionConfig): Promise<void> {
    for (const config of [...this.of(fn).values()]) {
      const { version } = await this.target(fn, config.qualifier).catch(() => ({ version: config.version }));
      const state = this.runtime.provisionedConcurrency(fn.functionName, version);
      if (version === config.version && state?.requested === config.requested) continue;
      if (version !== config.version) await this.runtime.provisionConcurrency(fn.functionName, config.version, 0);
      config.version = version;
      void this.runtime.provisionConcurrency(fn.functionName, version, config.requested).catch(() => undefined);
    }
  }

  private status(fn: FunctionConfig, config: ProvisionedConfig): ProvisionedConfigStatus {
    const state = this.runtime.provisionedConcurrency(fn.functionName, config.version) ?? {
      requested: config.requested,
      allocated: 0,
      status: 'IN_PROGRESS',
    };
    return { ...config, ...state, requested: config.requested };
  }

  /** The version a qualifier provisions; the version or alias must exist. */
  private async target(fn: FunctionConfig, qualifier: string): Promise<{ version: string }> {
    if (/^\d+$/.test(qualifier)) {
      await this.versions.version(fn, qualifier);
      return { version: qualifier };
    }
    return { version: (await this.versions.alias(fn, qualifier)).functionVersion };
  }

  private of(fn: FunctionConfig): Map<string, ProvisionedConfig> {
    let own = this.configs.get(fn.functionName);
    if (!own) this.configs.set(fn.functionName, (own = new Map()));
    return own;
  }
}
