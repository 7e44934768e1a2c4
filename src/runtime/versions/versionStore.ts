// Published versions, aliases and reserved concurrency of each function, as Lambda keeps them.
// PublishVersion freezes $LATEST's code (a content-addressed snapshot under
// `<stateDir>/versions/code/`) and configuration; aliases route to one version or split
// traffic between two. One JSON file per function, written atomically, survives restarts; every
// change is a read-modify-write under the state folder's cross-process lock, so Lambda Lab
// processes sharing the folder never reuse a version number or lose each other's writes.
import { createHash, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { FunctionConfig } from '../functionConfig';
import {
  aliasNotFound,
  conflict,
  functionNotFound,
  invalidParameter,
  LambdaServiceError,
  preconditionFailed,
  unzippedSizeTooLarge,
} from '../errors/serviceErrors';
import type { LayerMaterializerService } from '../layers/layerMaterializer';
import type { ResolvedQualifier } from '../runtimeOptions';
import { functionArn, type ArnContext } from '../store/arns';
import { writeJsonAtomic } from '../store/atomicFile';
import { awsDate } from '../store/awsDate';
import { ContentStore, type PackageInfo } from '../store/contentStore';
import { SharedJsonFiles } from '../store/sharedJsonFile';
import { stateFileName } from '../store/stateFileName';
import { StateLocks } from '../store/stateLock';
import { MAX_UNZIPPED_BYTES } from '../store/zipExtract';

export interface LayerRef {
  arn: string;
  codeSize: number;
}

/** What GetFunctionConfiguration reports about code, revision and layers for one version. */
export interface VersionInfo {
  version: string;
  description: string;
  codeSha256: string;
  codeSize: number;
  revisionId: string;
  lastModified: string;
  layers: LayerRef[];
  config: FunctionConfig;
}

export interface PublishedVersion extends VersionInfo {
  /** Hash of the configuration that was published, to tell whether $LATEST changed since. */
  configHash: string;
}

export interface RoutingConfig {
  AdditionalVersionWeights?: Record<string, number>;
}

export interface AliasRecord {
  name: string;
  functionVersion: string;
  description: string;
  routingConfig?: RoutingConfig;
  revisionId: string;
}

interface FunctionState {
  functionName: string;
  /** Version numbers are never reused, as in Lambda. */
  lastVersion: number;
  versions: PublishedVersion[];
  aliases: AliasRecord[];
  /** Set by PutFunctionConcurrency; null after DeleteFunctionConcurrency; absent: the template's value. */
  reservedConcurrency?: number | null;
  /** PutProvisionedConcurrencyConfig's configurations, by version number or alias name. */
  provisioned?: StoredProvisionedConfig[];
}

export interface StoredProvisionedConfig {
  qualifier: string;
  requested: number;
  lastModified: string;
}

export interface AliasInput {
  functionVersion?: string;
  description?: string;
  routingConfig?: RoutingConfig;
  revisionId?: string;
}

const ALIAS_NAME = /^(?!\d+$)[a-zA-Z0-9-_]{1,128}$/;

/** Events for views: something about a function's versions or aliases changed. */
export interface VersionStoreEvents {
  changed: [functionName: string];
}

export class VersionStore extends EventEmitter<VersionStoreEvents> {
  readonly code: ContentStore;
  private readonly dir: string;
  private readonly files = new SharedJsonFiles<FunctionState>();
  private readonly lock: StateLocks;

  constructor(
    private readonly stateDir: string,
    readonly arnContext: ArnContext,
    private readonly layers: LayerMaterializerService,
  ) {
    super();
    this.dir = join(stateDir, 'versions');
    this.code = new ContentStore(join(this.dir, 'code'));
    this.lock = new StateLocks(join(stateDir, 'locks'));
  }

  arn(fn: FunctionConfig, qualifier?: string): string {
    return functionArn(this.arnContext, fn.functionName, qualifier);
  }

  /**
   * $LATEST as GetFunctionConfiguration describes it: current code hash, derived RevisionId.
   * Never fails for a function that cannot run yet (unbuilt code, unresolvable layer): listing
   * functions must work anyway; those show an empty CodeSha256 / the layer ARN as written.
   */
  async latest(fn: FunctionConfig): Promise<VersionInfo> {
    const pkg = await this.describeCode(fn).catch(() => undefined);
    const layers = await this.layerRefs(fn).catch(() => fn.layers.map((arn) => ({ arn, codeSize: 0 })));
    const configHash = hashConfig(fn, layers);
    const codeSha256 = pkg?.codeSha256 ?? '';
    return {
      version: '$LATEST',
      description: fn.description ?? '',
      codeSha256,
      codeSize: pkg?.codeSize ?? 0,
      // Changes exactly when code or configuration does, as Lambda's does on each update.
      revisionId: uuidFrom(`${configHash}:${codeSha256}`),
      lastModified: awsDate(pkg?.modifiedMs ?? Date.now()),
      layers,
      config: fn,
    };
  }

  async versions(fn: FunctionConfig): Promise<PublishedVersion[]> {
    return (await this.state(fn)).versions;
  }

  async version(fn: FunctionConfig, version: string): Promise<VersionInfo> {
    if (version === '$LATEST') return this.latest(fn);
    const found = (await this.state(fn)).versions.find((v) => v.version === version);
    if (!found) throw functionNotFound(this.arn(fn, version));
    return found;
  }

  /** What a version's own code unpacks to (a published version's snapshot, or $LATEST's folder). */
  async unzippedCodeSize(fn: FunctionConfig, version: string): Promise<number> {
    const codeDir = version === '$LATEST' ? fn.codeDir : (await this.versionConfig(fn, version))?.codeDir;
    return codeDir ? this.code.unzippedSize(codeDir, [this.stateDir]) : 0;
  }

  /** The configuration a published version runs with (for the layer materializer). */
  async versionConfig(fn: FunctionConfig, version: string): Promise<FunctionConfig | undefined> {
    return (await this.state(fn)).versions.find((v) => v.version === version)?.config;
  }

  /**
   * PublishVersion: snapshots $LATEST's code and configuration. When neither changed since the
   * last published version, Lambda returns that version instead of making a new one.
   */
  async publish(
    fn: FunctionConfig,
    opts: { description?: string; codeSha256?: string; revisionId?: string } = {},
  ): Promise<PublishedVersion> {
    return this.update(fn, async (state) => {
      if (fn.build && !(await stat(fn.codeDir).catch(() => undefined))) {
        throw conflict(
          `${fn.logicalId} (${fn.templatePath}) is built with esbuild and has not been built yet: invoke $LATEST once, then publish.`,
        );
      }
      // Strict here: a version pins its code and its layer versions.
      const layers = await this.layerRefs(fn);
      const latest = { ...(await this.latest(fn)), layers };
      if (opts.codeSha256 !== undefined && opts.codeSha256 !== latest.codeSha256) {
        throw invalidParameter(
          `CodeSHA256 (${opts.codeSha256}) is different from current CodeSHA256 in $LATEST (${latest.codeSha256}). Please try again`,
        );
      }
      if (opts.revisionId !== undefined && opts.revisionId !== latest.revisionId) throw preconditionFailed();
      const configHash = hashConfig(fn, latest.layers);
      const last = state.versions[state.versions.length - 1];
      if (last && last.codeSha256 === latest.codeSha256 && last.configHash === configHash) return last;
      const snap = await this.code.snapshot(fn.codeDir, this.codeLabel(fn), [this.stateDir]).catch((err: Error) => {
        throw err instanceof LambdaServiceError ? err : conflict(err.message);
      });
      const unzipped = snap.unzippedSize + (await this.layers.resolve(fn)).reduce((n, l) => n + l.unzippedSize, 0);
      if (unzipped > MAX_UNZIPPED_BYTES) {
        throw unzippedSizeTooLarge(MAX_UNZIPPED_BYTES, `${fn.logicalId}: code and layers unpack to ${unzipped} bytes`);
      }
      const version = String(state.lastVersion + 1);
      const published: PublishedVersion = {
        version,
        description: opts.description ?? '',
        codeSha256: snap.codeSha256,
        codeSize: snap.codeSize,
        revisionId: randomUUID(),
        lastModified: awsDate(),
        layers: latest.layers,
        // A published version runs its snapshot as is: no build, layers pinned to their versions.
        config: { ...fn, codeDir: snap.dir, build: undefined, layers: latest.layers.map((l) => l.arn) },
        configHash,
      };
      await this.save({ ...state, lastVersion: state.lastVersion + 1, versions: [...state.versions, published] });
      return published;
    });
  }

  /** SAM AutoPublishAlias: publish when code or configuration changed, and point the alias at the newest version. */
  async autoPublish(fn: FunctionConfig): Promise<AliasRecord | undefined> {
    if (!fn.autoPublishAlias) return undefined;
    const published = await this.publish(fn, { description: fn.description });
    const existing = (await this.state(fn)).aliases.find((a) => a.name === fn.autoPublishAlias);
    if (existing?.functionVersion === published.version) return existing;
    if (!existing) {
      try {
        return await this.createAlias(fn, fn.autoPublishAlias, { functionVersion: published.version });
      } catch (err) {
        // Another Lambda Lab process loading the same template created it first.
        if (!(err instanceof LambdaServiceError && err.statusCode === 409)) throw err;
      }
    }
    return this.updateAlias(fn, fn.autoPublishAlias, { functionVersion: published.version });
  }

  async aliases(fn: FunctionConfig, functionVersion?: string): Promise<AliasRecord[]> {
    const all = (await this.state(fn)).aliases;
    return functionVersion === undefined
      ? all
      : all.filter(
          (a) => a.functionVersion === functionVersion || a.routingConfig?.AdditionalVersionWeights?.[functionVersion] !== undefined,
        );
  }

  async alias(fn: FunctionConfig, name: string): Promise<AliasRecord> {
    const found = (await this.state(fn)).aliases.find((a) => a.name === name);
    if (!found) throw aliasNotFound(this.arn(fn, name));
    return found;
  }

  async createAlias(fn: FunctionConfig, name: string, input: AliasInput): Promise<AliasRecord> {
    if (!ALIAS_NAME.test(name)) {
      throw invalidParameter(`Alias name ${JSON.stringify(name)} is invalid: 1-128 letters, digits, - or _, not only digits.`);
    }
    return this.update(fn, async (state) => {
      if (state.aliases.some((a) => a.name === name)) throw conflict(`Alias already exists: ${this.arn(fn, name)}`);
      if (input.functionVersion === undefined) throw invalidParameter('FunctionVersion is required to create an alias.');
      const alias: AliasRecord = {
        name,
        functionVersion: input.functionVersion,
        description: input.description ?? '',
        routingConfig: input.routingConfig,
        revisionId: randomUUID(),
      };
      this.checkAlias(fn, state, alias);
      await this.save({ ...state, aliases: [...state.aliases, alias] });
      return alias;
    });
  }

  async updateAlias(fn: FunctionConfig, name: string, input: AliasInput): Promise<AliasRecord> {
    return this.update(fn, async (state) => {
      const current = state.aliases.find((a) => a.name === name);
      if (!current) throw aliasNotFound(this.arn(fn, name));
      if (input.revisionId !== undefined && input.revisionId !== current.revisionId) throw preconditionFailed();
      const alias: AliasRecord = {
        name,
        functionVersion: input.functionVersion ?? current.functionVersion,
        description: input.description ?? current.description,
        routingConfig: input.routingConfig ?? current.routingConfig,
        revisionId: randomUUID(),
      };
      this.checkAlias(fn, state, alias);
      await this.save({ ...state, aliases: state.aliases.map((a) => (a.name === name ? alias : a)) });
      return alias;
    });
  }

  async deleteAlias(fn: FunctionConfig, name: string): Promise<void> {
    await this.update(fn, async (state) => {
      // Lambda answers 204 whether or not the alias existed.
      if (state.aliases.some((a) => a.name === name)) {
        await this.save({ ...state, aliases: state.aliases.filter((a) => a.name !== name) });
      }
    });
  }

  private checkAlias(fn: FunctionConfig, state: FunctionState, alias: AliasRecord): void {
    const known = (v: string) => v === '$LATEST' || state.versions.some((p) => p.version === v);
    if (!known(alias.functionVersion)) throw functionNotFound(this.arn(fn, alias.functionVersion));
    const weights = Object.entries(alias.routingConfig?.AdditionalVersionWeights ?? {});
    if (weights.length === 0) return;
    if (weights.length > 1) throw invalidParameter('RoutingConfig.AdditionalVersionWeights can name only one additional version.');
    const [extra, weight] = weights[0];
    if (alias.functionVersion === '$LATEST' || extra === '$LATEST') {
      throw invalidParameter('$LATEST is not supported for an alias pointing to more than 1 version');
    }
    if (!known(extra)) throw functionNotFound(this.arn(fn, extra));
    if (extra === alias.functionVersion) {
      throw invalidParameter(`Alias ${alias.name}: the additional version ${extra} must differ from FunctionVersion.`);
    }
    if (typeof weight !== 'number' || !(weight >= 0 && weight <= 1)) {
      throw invalidParameter(`Alias ${alias.name}: weight ${String(weight)} of version ${extra} must be between 0.0 and 1.0.`);
    }
  }

  /** The QualifierResolver for the runtime: version numbers, aliases (weighted), $LATEST. */
  async resolve(fn: FunctionConfig, qualifier: string): Promise<ResolvedQualifier> {
    if (qualifier === '$LATEST') return { version: '$LATEST', config: fn };
    const state = await this.state(fn);
    let version = qualifier;
    if (!/^\d+$/.test(qualifier)) {
      const alias = state.aliases.find((a) => a.name === qualifier);
      if (!alias) throw functionNotFound(this.arn(fn, qualifier));
      version = pickVersion(alias);
      if (version === '$LATEST') return { version, config: fn };
    }
    const published = state.versions.find((v) => v.version === version);
    if (!published) throw functionNotFound(this.arn(fn, version));
    return { version, config: published.config };
  }

  /** Reserved concurrency in force: PutFunctionConcurrency's, else the template's. */
  async reservedConcurrency(fn: FunctionConfig): Promise<number | undefined> {
    const stored = (await this.state(fn)).reservedConcurrency;
    return stored === undefined ? fn.reservedConcurrentExecutions : (stored ?? undefined);
  }

  async setReservedConcurrency(fn: FunctionConfig, value: number | null): Promise<void> {
    await this.update(fn, (state) => this.save({ ...state, reservedConcurrency: value }));
  }

  async provisionedConfigs(fn: FunctionConfig): Promise<StoredProvisionedConfig[]> {
    return (await this.state(fn)).provisioned ?? [];
  }

  /** Sets (or with undefined removes) the provisioned concurrency configuration of a version or alias. */
  async setProvisionedConfig(fn: FunctionConfig, qualifier: string, config: StoredProvisionedConfig | undefined): Promise<void> {
    await this.update(fn, (state) => {
      const others = (state.provisioned ?? []).filter((c) => c.qualifier !== qualifier);
      return this.save({ ...state, provisioned: config ? [...others, config] : others });
    });
  }

  /** The deployment package (zip) of a version: stored at publish, made on demand for $LATEST. */
  async packagePath(fn: FunctionConfig, info: VersionInfo): Promise<string> {
    if (info.version === '$LATEST') {
      return (await this.code.snapshot(fn.codeDir, this.codeLabel(fn), [this.stateDir])).zipPath;
    }
    return join(this.code.root, `${Buffer.from(info.codeSha256, 'base64').toString('hex')}.zip`);
  }

  private codeLabel(fn: FunctionConfig): string {
    return `function ${fn.logicalId} (${fn.templatePath}) code folder`;
  }

  private async describeCode(fn: FunctionConfig): Promise<PackageInfo> {
    return this.code.describe(fn.codeDir, this.codeLabel(fn), [this.stateDir]);
  }

  private async layerRefs(fn: FunctionConfig): Promise<LayerRef[]> {
    return (await this.layers.resolve(fn)).map((l) => ({ arn: l.arn, codeSize: l.codeSize }));
  }

  private statePath(functionName: string): string {
    return join(this.dir, stateFileName('function', functionName));
  }

  /**
   * The function's state as the folder holds it now (another process may have changed it).
   * Emits `changed` when it differs from what this process saw last.
   */
  private async state(fn: FunctionConfig): Promise<FunctionState> {
    const { value, changed } = await this.files.read(this.statePath(fn.functionName));
    if (changed) this.emit('changed', fn.functionName);
    return value ?? { functionName: fn.functionName, lastVersion: 0, versions: [], aliases: [] };
  }

  /** Re-reads the function's state under the cross-process lock, for a read-modify-write. */
  private update<T>(fn: FunctionConfig, work: (state: FunctionState) => Promise<T>): Promise<T> {
    return this.lock.run(`function-${fn.functionName}`, async () => {
      this.files.invalidate(this.statePath(fn.functionName));
      return work(await this.state(fn));
    });
  }

  /** Picks up changes other processes made to a function's state (views refresh on `changed`). */
  async refresh(fn: FunctionConfig): Promise<void> {
    await this.state(fn);
  }

  private async save(state: FunctionState): Promise<void> {
    const path = this.statePath(state.functionName);
    await writeJsonAtomic(path, state);
    this.files.invalidate(path);
    await this.files.read(path);
    this.emit('changed', state.functionName);
  }
}

/** Weighted routing: the additional version gets its weight's share of invokes. */
function pickVersion(alias: AliasRecord): string {
  let roll = Math.random();
  for (const [version, weight] of Object.entries(alias.routingConfig?.AdditionalVersionWeights ?? {})) {
    if (roll < weight) return version;
    roll -= weight;
  }
  return alias.functionVersion;
}

/** What makes two configurations publish the same version: everything but where the files are. */
function hashConfig(fn: FunctionConfig, layers: LayerRef[]): string {
  const {
    codeDir: _c,
    build: _b,
    position: _p,
    layers: _l,
    reservedConcurrentExecutions: _r,
    autoPublishAlias: _a,
    provisionedConcurrency: _pc,
    ...rest
  } = fn;
  return createHash('sha256')
    .update(JSON.stringify({ ...rest, layers: layers.map((l) => l.arn) }))
    .digest('hex');
}

function uuidFrom(text: string): string {
  const h = createHash('sha256').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
