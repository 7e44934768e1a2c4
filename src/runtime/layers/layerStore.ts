// Layer versions of the template's layers. A layer's content is snapshotted (content-addressed)
// and numbered like Lambda numbers layer versions: a new version each time its content or
// description changes, never reusing a number. Persisted under `<stateDir>/layers/`.
import { EventEmitter } from 'node:events';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { FunctionConfig, LayerConfig } from '../functionConfig';
import { writeJsonAtomic } from '../store/atomicFile';
import { layerArn, parseLayerArn, type ArnContext } from '../store/arns';
import { awsDate } from '../store/awsDate';
import { ContentStore } from '../store/contentStore';
import { SharedJsonFiles } from '../store/sharedJsonFile';
import { stateFileName } from '../store/stateFileName';
import { StateLocks } from '../store/stateLock';

export interface LayerVersionRecord {
  layerName: string;
  version: number;
  /** Logical id of the template resource it was made from. */
  logicalId: string;
  description?: string;
  compatibleRuntimes: string[];
  compatibleArchitectures: string[];
  codeSha256: string;
  hashHex: string;
  codeSize: number;
  /** Bytes the layer unpacks to (absent in records written before it was kept). */
  unzippedSize?: number;
  createdDate: string;
}

/** A layer version ready to be merged into /opt. */
export interface ResolvedLayer {
  arn: string;
  codeSize: number;
  unzippedSize: number;
  hashHex: string;
  /** Immutable folder with the layer's files. */
  contentDir: string;
}

interface LayerFile {
  layerName: string;
  versions: LayerVersionRecord[];
}

/** Events for views: a layer got a new version. */
export interface LayerStoreEvents {
  changed: [layerName: string];
}

export class LayerStore extends EventEmitter<LayerStoreEvents> {
  readonly content: ContentStore;
  private readonly dir: string;
  /** `templatePath#logicalId` → the template's layer. */
  private readonly templateLayers = new Map<string, LayerConfig>();
  /** Every layer name seen in the folder or the templates. */
  private readonly names = new Set<string>();
  private readonly files = new SharedJsonFiles<LayerFile>();
  private readonly lock: StateLocks;

  constructor(
    stateDir: string,
    readonly arnContext: ArnContext,
  ) {
    super();
    this.dir = join(stateDir, 'layers');
    this.content = new ContentStore(join(this.dir, 'content'));
    this.lock = new StateLocks(join(stateDir, 'locks'));
  }

  /** The layers a (re)loaded template defines; replaces those it defined before. */
  setTemplateLayers(templatePath: string, layers: LayerConfig[]): void {
    for (const key of [...this.templateLayers.keys()]) {
      if (key.startsWith(`${templatePath}#`)) this.templateLayers.delete(key);
    }
    for (const layer of layers) this.templateLayers.set(`${layer.templatePath}#${layer.logicalId}`, layer);
  }

  /** Brings every template layer's version up to date with its content; returns the latest of each. */
  async syncAll(): Promise<LayerVersionRecord[]> {
    const out: LayerVersionRecord[] = [];
    for (const layer of this.templateLayers.values()) out.push(await this.current(layer));
    return out;
  }

  /** Names of every layer known, from the template or from earlier runs. */
  async layerNames(): Promise<string[]> {
    await this.syncAll();
    await this.loadPersisted();
    return [...this.names].sort();
  }

  async versions(layerName: string): Promise<LayerVersionRecord[]> {
    await this.syncAll();
    return (await this.file(layerName)).versions;
  }

  async get(layerName: string, version: number): Promise<LayerVersionRecord | undefined> {
    return (await this.versions(layerName)).find((v) => v.version === version);
  }

  arn(record: LayerVersionRecord): string {
    return layerArn(this.arnContext, record.layerName, record.version);
  }

  contentDir(record: LayerVersionRecord): string {
    return join(this.content.root, record.hashHex);
  }

  zipPath(record: LayerVersionRecord): string {
    return `${this.contentDir(record)}.zip`;
  }

  /**
   * What a function's `Layers:` entry means: a logical id of its template's layers (its current
   * version), the ARN of a local layer version, or an ARN mapped to a local folder/zip.
   */
  async resolveRef(fn: FunctionConfig, ref: string, arnMap: Record<string, string>): Promise<ResolvedLayer> {
    const local = this.templateLayers.get(`${fn.templatePath}#${ref}`);
    if (local) return this.resolved(await this.current(local));
    const mapped = arnMap[ref];
    if (mapped !== undefined) {
      const snap = await this.content.snapshot(mapped, `layer ${ref} (mapped to ${mapped})`);
      return { arn: ref, codeSize: snap.codeSize, unzippedSize: snap.unzippedSize, hashHex: snap.hashHex, contentDir: snap.dir };
    }
    const parsed = parseLayerArn(ref);
    if (parsed && parsed.version !== undefined && this.isLocalAccount(parsed)) {
      const record = await this.get(parsed.layerName, parsed.version);
      if (record) return this.resolved(record);
    }
    throw new Error(
      `Function ${fn.logicalId} (${fn.templatePath}): layer ${ref} is ` +
        (parsed
          ? `not a layer of this template and cannot be downloaded here. Map it to a local folder or zip ` +
            `with the lambdaLab.layerArnMap setting (CLI: --layer-arn-map FILE), e.g. {"${ref}": "./layers/my-layer"}.`
          : `neither a layer of this template (logical ids: ${this.logicalIds(fn.templatePath) || 'none'}) nor a layer version ARN.`),
    );
  }

  private isLocalAccount(arn: { region: string; accountId: string }): boolean {
    return arn.region === this.arnContext.region && arn.accountId === this.arnContext.accountId;
  }

  private logicalIds(templatePath: string): string {
    return [...this.templateLayers.values()]
      .filter((l) => l.templatePath === templatePath)
      .map((l) => l.logicalId)
      .join(', ');
  }

  private resolved(record: LayerVersionRecord): ResolvedLayer {
    return {
      arn: this.arn(record),
      codeSize: record.codeSize,
      unzippedSize: record.unzippedSize ?? 0,
      hashHex: record.hashHex,
      contentDir: this.contentDir(record),
    };
  }

  /** The layer's latest version, publishing a new one when its content or description changed. */
  private async current(layer: LayerConfig): Promise<LayerVersionRecord> {
    const snap = await this.content.snapshot(layer.contentPath, `layer ${layer.logicalId} (${layer.templatePath})`);
    const upToDate = (latest: LayerVersionRecord | undefined): boolean =>
      !!latest &&
      latest.codeSha256 === snap.codeSha256 &&
      latest.description === layer.description &&
      sameList(latest.compatibleRuntimes, layer.compatibleRuntimes) &&
      sameList(latest.compatibleArchitectures, layer.compatibleArchitectures);
    // Every cold start asks; only a change needs the cross-process lock.
    const seen = (await this.file(layer.layerName)).versions;
    const seenLatest = seen[seen.length - 1];
    if (seenLatest && upToDate(seenLatest)) return seenLatest;
    return this.lock.run(`layer-${layer.layerName}`, async () => {
      this.files.invalidate(this.filePath(layer.layerName));
      const file = await this.file(layer.layerName);
      const latest = file.versions[file.versions.length - 1];
      if (latest && upToDate(latest)) return latest;
      const record: LayerVersionRecord = {
        layerName: layer.layerName,
        version: (latest?.version ?? 0) + 1,
        logicalId: layer.logicalId,
        description: layer.description,
        compatibleRuntimes: layer.compatibleRuntimes,
        compatibleArchitectures: layer.compatibleArchitectures,
        codeSha256: snap.codeSha256,
        hashHex: snap.hashHex,
        codeSize: snap.codeSize,
        unzippedSize: snap.unzippedSize,
        createdDate: awsDate(),
      };
      const next: LayerFile = { ...file, versions: [...file.versions, record] };
      await writeJsonAtomic(this.filePath(layer.layerName), next);
      this.files.invalidate(this.filePath(layer.layerName));
      await this.file(layer.layerName);
      this.emit('changed', layer.layerName);
      return record;
    });
  }

  private filePath(layerName: string): string {
    return join(this.dir, stateFileName('layer', layerName));
  }

  /** The layer's versions as the folder holds them now; `changed` when another process added one. */
  private async file(layerName: string): Promise<LayerFile> {
    const { value, changed } = await this.files.read(this.filePath(layerName));
    if (value) this.names.add(layerName);
    if (changed) this.emit('changed', layerName);
    return value ?? { layerName, versions: [] };
  }

  /** Picks up a layer version another process published. */
  async refresh(layerName: string): Promise<void> {
    await this.file(layerName);
  }

  /** Loads layers persisted by this or other processes, so ListLayers shows them before a template names them. */
  async loadPersisted(): Promise<void> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    for (const name of names) if (name.endsWith('.json')) await this.file(name.slice(0, -5));
  }
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
