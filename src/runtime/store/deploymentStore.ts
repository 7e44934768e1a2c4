// Versions, aliases, reserved concurrency and layers of one state folder, plugged into a
// LocalRuntime: it resolves qualifiers, materialises /opt, follows template (re)loads and
// runs SAM's AutoPublishAlias. The API server and the sidebar share one of these.
import type { TemplateModel } from '../functionConfig';
import { LayerMaterializerService } from '../layers/layerMaterializer';
import { LayerStore } from '../layers/layerStore';
import type { LocalRuntime } from '../localRuntime';
import { VersionStore } from './versionStore';

export interface DeploymentStoreOptions {
  /** State folder (`.lambda-lab`); versions/, layers/ and opt/ go under it. */
  stateDir: string;
  /** Layer version ARN → local folder or zip, for layers that are not in the template. */
  layerArnMap?: Record<string, string>;
}

export class DeploymentStore {
  readonly layers: LayerStore;
  readonly materializer: LayerMaterializerService;
  readonly versions: VersionStore;
  /** Template loads still being taken in (layers, concurrency, AutoPublishAlias). */
  private pending: Promise<void> = Promise.resolve();
  private readonly onTemplate = (model: TemplateModel) => {
    this.pending = this.pending.then(() => this.templateLoaded(model));
  };

  constructor(
    readonly runtime: LocalRuntime,
    readonly options: DeploymentStoreOptions,
  ) {
    const arnContext = { region: runtime.region, accountId: runtime.accountId };
    this.layers = new LayerStore(options.stateDir, arnContext);
    this.materializer = new LayerMaterializerService(this.layers, options.stateDir, {
      layerArnMap: options.layerArnMap,
      versionConfig: (fn, version) => this.versions.versionConfig(fn, version),
    });
    this.versions = new VersionStore(options.stateDir, arnContext, this.materializer);
  }

  /** Plugs into the runtime; templates already loaded are taken in now, later ones as they load. */
  async attach(): Promise<void> {
    this.runtime.setQualifierResolver((fn, qualifier) => this.versions.resolve(fn, qualifier));
    this.runtime.setLayerMaterializer(this.materializer.materializer);
    this.runtime.on('templateLoaded', this.onTemplate);
    await this.layers.loadPersisted();
    for (const model of this.runtime.templateModels()) this.onTemplate(model);
    await this.settled();
  }

  /** Resolves once every template load seen so far has been taken in. */
  settled(): Promise<void> {
    return this.pending;
  }

  detach(): void {
    this.runtime.off('templateLoaded', this.onTemplate);
    this.runtime.setQualifierResolver(undefined);
    this.runtime.setLayerMaterializer(undefined);
  }

  /** Reserved concurrency set through the API outlives template reloads and restarts. */
  async setReservedConcurrency(functionName: string, value: number | null): Promise<void> {
    const fn = this.runtime.getFunction(functionName);
    if (!fn) return;
    await this.versions.setReservedConcurrency(fn, value);
    this.runtime.setReservedConcurrency(fn.functionName, value ?? undefined);
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
      } catch (err) {
        this.runtime.emit('diagnostic', { level: 'error', message: `${fn.logicalId}: ${(err as Error).message}` });
      }
    }
  }
}
