// Builds the `/opt` a function version sees: its layers merged into one folder in order, later
// layers overwriting earlier ones' files, as Lambda extracts them. Each merged folder is named
// after the layer versions it holds, so it is built once and never changes.
import { createHash } from 'node:crypto';
import { access, cp, mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { FunctionConfig } from '../functionConfig';
import { functionNotRunnable } from '../errors/serviceErrors';
import { MAX_UNZIPPED_BYTES } from '../store/zipExtract';
import type { LayerMaterializer } from '../runtimeOptions';
import { tempPathFor } from '../store/processIdentity';
import type { LayerStore, ResolvedLayer } from './layerStore';

/** Lambda's limit on layers per function. */
export const MAX_LAYERS = 5;

export interface LayerMaterializerOptions {
  /** Layer version ARN → local folder or zip holding that layer's content. */
  layerArnMap?: Record<string, string>;
  /** The configuration of a published version (its `layers` are the ARNs it was published with). */
  versionConfig?: (fn: FunctionConfig, version: string) => Promise<FunctionConfig | undefined>;
  /** What a function version's own code unpacks to, counted with its layers against Lambda's limit. */
  codeUnzippedSize?: (fn: FunctionConfig, version: string) => Promise<number>;
}

export class LayerMaterializerService {
  private readonly optRoot: string;
  private readonly building = new Map<string, Promise<string>>();

  constructor(
    private readonly layers: LayerStore,
    stateDir: string,
    private readonly options: LayerMaterializerOptions = {},
  ) {
    this.optRoot = join(stateDir, 'opt');
  }

  /** The hook to give `LocalRuntime.setLayerMaterializer`. */
  readonly materializer: LayerMaterializer = (fn, version) => this.materialize(fn, version);

  /** Resolves the layer references a function version uses (ARNs and sizes, in order). */
  async resolve(fn: FunctionConfig, version = '$LATEST'): Promise<ResolvedLayer[]> {
    const config = version === '$LATEST' ? fn : ((await this.options.versionConfig?.(fn, version)) ?? fn);
    if (config.layers.length > MAX_LAYERS) {
      throw functionNotRunnable(
        fn.functionName,
        `${fn.templatePath}: ${fn.logicalId} lists ${config.layers.length} layers; Lambda allows at most ${MAX_LAYERS}. Merge some layers.`,
      );
    }
    const out: ResolvedLayer[] = [];
    for (const ref of config.layers) {
      try {
        out.push(await this.layers.resolveRef(fn, ref, this.options.layerArnMap ?? {}));
      } catch (err) {
        throw functionNotRunnable(fn.functionName, (err as Error).message);
      }
    }
    const unzipped = out.reduce((n, l) => n + l.unzippedSize, 0);
    if (unzipped > MAX_UNZIPPED_BYTES) throw tooLarge(fn, `the layers of ${fn.logicalId} unpack to ${unzipped} bytes`);
    return out;
  }

  async materialize(fn: FunctionConfig, version: string): Promise<string | undefined> {
    const layers = await this.resolve(fn, version);
    if (layers.length === 0) return undefined;
    const code = (await this.options.codeUnzippedSize?.(fn, version).catch(() => 0)) ?? 0;
    const unzipped = code + layers.reduce((n, l) => n + l.unzippedSize, 0);
    if (unzipped > MAX_UNZIPPED_BYTES) throw tooLarge(fn, `the code and layers of ${fn.logicalId} unpack to ${unzipped} bytes`);
    const key = createHash('sha256')
      .update(layers.map((l) => l.hashHex).join('\n'))
      .digest('hex')
      .slice(0, 32);
    let work = this.building.get(key);
    if (!work) {
      work = this.merge(layers, join(this.optRoot, key)).finally(() => this.building.delete(key));
      this.building.set(key, work);
    }
    return work;
  }

  private async merge(layers: ResolvedLayer[], target: string): Promise<string> {
    if (
      await access(target).then(
        () => true,
        () => false,
      )
    )
      return target;
    await mkdir(this.optRoot, { recursive: true });
    const temp = tempPathFor(target);
    try {
      await mkdir(temp);
      for (const layer of layers) {
        await cp(layer.contentDir, temp, { recursive: true, force: true, verbatimSymlinks: true });
      }
      await rename(temp, target);
    } catch (err) {
      await rm(temp, { recursive: true, force: true });
      if (
        !(await access(target).then(
          () => true,
          () => false,
        ))
      )
        throw err;
    }
    return target;
  }
}

function tooLarge(fn: FunctionConfig, what: string) {
  return functionNotRunnable(
    fn.functionName,
    `${fn.templatePath}: ${what}; Lambda's limit for a function and its layers is ${MAX_UNZIPPED_BYTES} bytes unzipped ` +
      `(Unzipped size must be smaller than ${MAX_UNZIPPED_BYTES} bytes). Make the code or the layers smaller.`,
  );
}
