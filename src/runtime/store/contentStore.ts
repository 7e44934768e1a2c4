// Content-addressed snapshots of code: a folder or zip becomes `<root>/<sha256 hex>/` (the
// extracted, immutable files) and `<root>/<sha256 hex>.zip` (the deployment package whose
// hash that is). The same content is stored once, and a snapshot never changes.
import { createHash } from 'node:crypto';
import { access, mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { unzippedSizeTooLarge } from '../errors/serviceErrors';
import { extractZip, MAX_UNZIPPED_BYTES, zipUnzippedSize } from './zipExtract';
import { writeFileAtomic } from './atomicFile';
import { fingerprint, listPackageFiles, packageFiles } from './codePackage';
import { tempPathFor } from './processIdentity';

export interface PackageInfo {
  /** base64 sha256 of the deployment package, as Lambda's CodeSha256. */
  codeSha256: string;
  hashHex: string;
  codeSize: number;
  /** What the package unpacks to (bytes), as Lambda's unzipped size limit counts it. */
  unzippedSize: number;
  /** Newest file modification time in the source (ms since epoch). */
  modifiedMs: number;
}

export interface Snapshot extends PackageInfo {
  /** Immutable folder holding the extracted package. */
  dir: string;
  zipPath: string;
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

export class ContentStore {
  /** source → [fingerprint, info], so unchanged sources are not zipped again. */
  private readonly cache = new Map<string, [string, PackageInfo]>();
  private readonly pending = new Map<string, Promise<{ info: PackageInfo; zip?: Buffer }>>();

  constructor(readonly root: string) {}

  /**
   * What a folder (zipped deterministically) or a `.zip` file (hashed as is) packages to.
   * `exclude` lists absolute paths inside a folder that are not part of the package.
   */
  async describe(source: string, label: string, exclude: string[] = []): Promise<PackageInfo> {
    return (await this.pack(source, label, exclude, false)).info;
  }

  /** Stores the package and its extracted files under the content's hash. */
  async snapshot(source: string, label: string, exclude: string[] = []): Promise<Snapshot> {
    const { info } = await this.pack(source, label, exclude, false);
    const dir = join(this.root, info.hashHex);
    const zipPath = `${dir}.zip`;
    if (!(await exists(dir)) || !(await exists(zipPath))) {
      const { info: fresh, zip } = await this.pack(source, label, exclude, true);
      if (zip) await this.store(zip, fresh.hashHex, label);
      return { ...fresh, dir: join(this.root, fresh.hashHex), zipPath: join(this.root, `${fresh.hashHex}.zip`) };
    }
    return { ...info, dir, zipPath };
  }

  /** What a folder or zip unpacks to, from file sizes or the zip's directory alone (nothing is read or zipped). */
  async unzippedSize(source: string, exclude: string[] = []): Promise<number> {
    const info = await stat(source);
    if (info.isFile()) return zipUnzippedSize(source);
    return (await listPackageFiles(source, exclude)).reduce((n, f) => n + f.size, 0);
  }

  private pack(source: string, label: string, exclude: string[], needZip: boolean) {
    const key = `${needZip}\0${source}\0${exclude.join('\0')}`;
    let work = this.pending.get(key);
    if (!work) {
      work = this.packNow(source, label, exclude, needZip).finally(() => this.pending.delete(key));
      this.pending.set(key, work);
    }
    return work;
  }

  private async packNow(source: string, label: string, exclude: string[], needZip: boolean): Promise<{ info: PackageInfo; zip?: Buffer }> {
    const key = `${source}\0${exclude.join('\0')}`;
    const info = await stat(source).catch(() => undefined);
    if (!info) throw new Error(`${label}: ${source} does not exist.`);
    if (info.isFile()) {
      const print = `${info.size}:${info.mtimeMs}`;
      const cached = this.cache.get(key);
      if (!needZip && cached && cached[0] === print) return { info: cached[1] };
      const zip = await readFile(source);
      const digest = createHash('sha256').update(zip).digest();
      const unzippedSize = await zipUnzippedSize(source).catch(() => 0);
      const packed = {
        codeSha256: digest.toString('base64'),
        hashHex: digest.toString('hex'),
        codeSize: zip.length,
        unzippedSize,
        modifiedMs: info.mtimeMs,
      };
      this.cache.set(key, [print, packed]);
      return { info: packed, zip };
    }
    const files = await listPackageFiles(source, exclude);
    const unzippedSize = files.reduce((n, f) => n + f.size, 0);
    if (unzippedSize > MAX_UNZIPPED_BYTES) throw unzippedSizeTooLarge(MAX_UNZIPPED_BYTES, `${label} ${source} holds ${unzippedSize} bytes`);
    if (files.length > 0xffff) throw new Error(`${label}: ${files.length} files is more than a zip without zip64 holds.`);
    const print = fingerprint(files);
    const cached = this.cache.get(key);
    if (!needZip && cached && cached[0] === print) return { info: cached[1] };
    const pkg = await packageFiles(files);
    const modifiedMs = files.reduce((m, f) => Math.max(m, f.mtimeMs), 0);
    const packed = { codeSha256: pkg.codeSha256, hashHex: pkg.hashHex, codeSize: pkg.codeSize, unzippedSize, modifiedMs };
    this.cache.set(key, [print, packed]);
    return { info: packed, zip: pkg.zip };
  }

  private async store(zip: Buffer, hashHex: string, label: string): Promise<void> {
    const dir = join(this.root, hashHex);
    if (!(await exists(dir))) {
      await mkdir(this.root, { recursive: true });
      const temp = tempPathFor(dir);
      try {
        await extractZip(zip, temp, label);
        await rename(temp, dir);
      } catch (err) {
        await rm(temp, { recursive: true, force: true });
        // Another process may have stored the same content meanwhile.
        if (!(await exists(dir))) throw err;
      }
    }
    if (!(await exists(`${dir}.zip`))) await writeFileAtomic(`${dir}.zip`, zip);
  }
}
