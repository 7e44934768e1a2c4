// Versions, aliases, reserved concurrency and layers of one state folder, plugged into a
// LocalRuntime: it resolves qualifiers, materialises /opt, follows template (re)loads and
// runs SAM's AutoPublishAlias. The API server and the sidebar share one of these.
// By default a store takes every template of the runtime and installs the runtime-wide hooks;
// a host with one store per state folder scopes each to its templates and routes the hooks itself.
import { watch, type FSWatcher } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { unreservedConcurrencyBelowMinimum } from '../errors/serviceErrors';
import type { FunctionConfig, TemplateModel } from '../functionConfig';
import { LayerMaterializerService } from '../layers/layerMaterializer';
import { LayerStore } from '../layers/layerStore';
import type { LocalRuntime } from '../localRuntime';
import type { LayerMaterializer, QualifierResolver } from '../runtimeOptions';
import { sweepStaleTemps } from '../store/staleTemps';
import { removeStaleLocks } from '../store/stateLock';
import { ProvisionedConcurrencyConfigs } from './provisionedConcurrency';
import { VersionStore } from './versionStore';

export interface DeploymentStoreOptions {
  /** State folder (`.lambda-lab`); versions/, layers/ and opt/ go under it. */
  stateDir: string;
  /** Layer version ARN → local folder or zip, for layers that are not in the template. */
  layerArnMap?: Record<string, string>;
  /** Which templates (absolute paths, as the runtime loads them) this store takes in; default all. */
  templates?: (templatePath: string) => boolean;
  /** The account's concurrency limit that reserved concurrency is carved from (Lambda's default: 1,000). */
  accountConcurrency?: number;
}

export const DEFAULT_ACCOUNT_CONCURRENCY = 1000;
/** Lambda keeps this much of the account limit for functions without reserved concurrency. */
const UNRESERVED_MINIMUM = 100;

export interface AttachOptions {
  /**
   * Installs `resolveQualifier` and `materializeLayers` as the runtime's hooks (default true).
   * False when the caller routes each function to its own store's hooks.
   */
  installHooks?: boolean;
}

export class DeploymentStore {
  readonly layers: LayerStore;
  readonly materializer: LayerMaterializerService;
  readonly versions: VersionStore;
  readonly provisioned: ProvisionedConcurrencyConfigs;
  /** Template loads still being taken in (layers, concurrency, AutoPublishAlias). */
  private pending: Promise<void> = Promise.resolve();
  private hooksInstalled = false;
  private watchers: FSWatcher[] = [];
  /** A function's state changed (here or in another process): its reserved concurrency applies now. */
  private readonly onVersionsChanged = (functionName: string) => {
    const fn = this.runtime.getFunction(functionName);
    if (!fn || !this.covers(fn.templatePath)) return;
    void this.provisioned.reapply(fn).catch(() => undefined);
    void this.versions.reservedConcurrency(fn).then(
      (reserved) => this.runtime.setReservedConcurrency(fn.functionName, reserved),
      () => undefined,
    );
  };
  private readonly onTemplate = (model: TemplateModel) => {
    if (this.covers(model.templatePath)) this.pending = this.pending.then(() => this.templateLoaded(model));
  };

  /** The runtime's QualifierResolver for this store's functions: versions and (weighted) aliases. */
  readonly resolveQualifier: QualifierResolver = async (fn, qualifier) => this.versions.resolve(this.own(fn), qualifier);

  /** The runtime's LayerMaterializer for this store's functions: their layers merged into one `/opt`. */
  readonly materializeLayers: LayerMaterializer = async (fn, version) => this.materializer.materialize(this.own(fn), version);

  constructor(
    readonly runtime: LocalRuntime,
    readonly options: DeploymentStoreOptions,
  ) {
    const arnContext = { region: runtime.region, accountId: runtime.accountId };
    this.layers = new LayerStore(options.stateDir, arnContext);
    this.materializer = new LayerMaterializerService(this.layers, options.stateDir, {
      layerArnMap: options.layerArnMap,
      versionConfig: (fn, version) => this.versions.versionConfig(fn, version),
      codeUnzippedSize: (fn, version) => this.versions.unzippedCodeSize(fn, version),
    });
    this.versions = new VersionStore(options.stateDir, arnContext, this.materializer);
    this.provisioned = new ProvisionedConcurrencyConfigs(runtime, this.versions);
  }

  /** Plugs into the runtime; templates already loaded are taken in now, later ones as they load. */
  async attach(options: AttachOptions = {}): Promise<void> {
    if (options.installHooks ?? true) {
      this.runtime.setQualifierResolver(this.resolveQualifier);
      this.runtime.setLayerMaterializer(this.materializeLayers);
      this.hooksInstalled = true;
    }
    this.runtime.on('templateLoaded', this.onTemplate);
    this.versions.on('changed', this.onVersionsChanged);
    await this.sweepTemps();
    await this.watchState();
    await this.layers.loadPersisted();
    for (const model of this.runtime.templateModels()) this.onTemplate(model);
    await this.settled();
  }

  /** Whether this store keeps versions and layers for the functions of a template. */
  covers(templatePath: string): boolean {
    return this.options.templates?.(templatePath) ?? true;
  }

  /** Resolves once every template load seen so far has been taken in. */
  settled(): Promise<void> {
    return this.pending;
  }

  detach(): void {
    this.runtime.off('templateLoaded', this.onTemplate);
    this.versions.off('changed', this.onVersionsChanged);
    for (const w of this.watchers) w.close();
    this.watchers = [];
    if (!this.hooksInstalled) return;
    this.runtime.setQualifierResolver(undefined);
    this.runtime.setLayerMaterializer(undefined);
    this.hooksInstalled = false;
  }

  /**
   * Reserved concurrency set through the API outlives template reloads and restarts. As in
   * Lambda, all functions' reservations together leave at least 100 of the account limit unreserved.
   */
  async setReservedConcurrency(functionName: string, value: number | null): Promise<void> {
    const fn = this.runtime.getFunction(functionName);
    if (!fn) return;
    if (value !== null) {
      let reservedByOthers = 0;
      for (const other of this.runtime.functions()) {
        if (other.functionName !== fn.functionName && this.covers(other.templatePath)) {
          reservedByOthers += (await this.versions.reservedConcurrency(other)) ?? 0;
        }
      }
      const limit = this.options.accountConcurrency ?? DEFAULT_ACCOUNT_CONCURRENCY;
      if (value + reservedByOthers > limit - UNRESERVED_MINIMUM) throw unreservedConcurrencyBelowMinimum(UNRESERVED_MINIMUM);
    }
    await this.versions.setReservedConcurrency(fn, value);
    this.runtime.setReservedConcurrency(fn.functionName, (await this.versions.reservedConcurrency(fn)) ?? undefined);
  }

  /** Removes what Lambda Lab processes killed mid-write left behind (temp files, half-extracted folders). */
  private async sweepTemps(): Promise<void> {
    const root = this.options.stateDir;
    const dirs = ['versions', 'versions/code', 'layers', 'layers/content', 'opt', 'locks'].map((d) => join(root, d));
    const removed = (await sweepStaleTemps(dirs)) + (await removeStaleLocks(join(root, 'locks')));
    if (removed)
      this.runtime.emit('diagnostic', {
        level: 'info',
        message: `Removed ${removed} leftover temp file(s) and lock(s) of ended Lambda Lab processes from ${root}.`,
      });
  }

  /** Other Lambda Lab processes on this folder publish too: follow their writes as they happen. */
  private async watchState(): Promise<void> {
    const follow = (dir: string, changed: (name: string) => void) => {
      try {
        const watcher = watch(dir, (_event, file) => {
          if (file?.endsWith('.json')) changed(file.slice(0, -'.json'.length));
        });
        watcher.on('error', () => watcher.close());
        watcher.unref();
        this.watchers.push(watcher);
      } catch {
        // No watching on this filesystem: state is still re-read on every use and under every lock.
      }
    };
    const versionsDir = join(this.options.stateDir, 'versions');
    const layersDir = join(this.options.stateDir, 'layers');
    await mkdir(versionsDir, { recursive: true });
    await mkdir(layersDir, { recursive: true });
    follow(versionsDir, (name) => {
      const fn = this.runtime.getFunction(name);
      if (fn && this.covers(fn.templatePath)) void this.versions.refresh(fn).catch(() => undefined);
    });
    follow(layersDir, (name) => void this.layers.refresh(name).catch(() => undefined));
  }

  /** A function routed to the wrong store would get another folder's versions and layers: refuse it. */
  private own(fn: FunctionConfig): FunctionConfig {
    if (this.covers(fn.templatePath)) return fn;
    throw new Error(
      `Function ${fn.logicalId} (${fn.templatePath}) is not one of the templates whose versions and layers are kept in ${this.options.stateDir}.`,
    );
  }

  private async templateLoaded(model: TemplateModel): Promise<void> {
    this.layers.setTemplateLayers(model.templatePath, model.layers);
    for (const fn of model.functions) {
      try {
        const reserved = await this.versions.reservedConcurrency(fn);
        if (reserved !== fn.reservedConcurrentExecutions) this.runtime.setReservedConcurrency(fn.functionName, reserved);
        const alias = await this.versions.autoPublish(fn);
        if (alias) {
          this.runtime.emit('diagnostic', {
            level: 'info',
            message: `${fn.logicalId}: AutoPublishAlias ${alias.name} → version ${alias.functionVersion}`,
          });
        }
        await this.provisioned.reapply(fn);
        await this.provisioned.applyTemplate(fn);
      } catch (err) {
        this.runtime.emit('diagnostic', { level: 'error', message: `${fn.logicalId}: ${(err as Error).message}` });
      }
    }
  }
}
