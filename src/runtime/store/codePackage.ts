// The deployment package of a code folder, as `sam package` would upload it: one zip with
// every file, built deterministically (sorted entries, fixed timestamps, unix modes) so the
// same code always gives the same bytes and so the same CodeSha256 — which AWS computes as
// base64(sha256(zip)).
import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, realpath, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';

export interface CodePackage {
  zip: Buffer;
  /** base64 sha256 of the zip, as Lambda's CodeSha256. */
  codeSha256: string;
  /** Hex form of the same hash, for file names. */
  hashHex: string;
  codeSize: number;
}

export interface PackageFile {
  /** Posix path inside the package. */
  name: string;
  absPath: string;
  executable: boolean;
  size: number;
  mtimeMs: number;
}

/** Folder names never packaged: our own state, version control. */
const SKIPPED_DIRS = new Set(['.lambda-lab', '.git']);

/** Every file under `root` (symlinks followed), sorted by package path. */
export async function listPackageFiles(root: string, exclude: string[] = []): Promise<PackageFile[]> {
  const files: PackageFile[] = [];
  const excluded = new Set(exclude);
  const visited = new Set<string>();
  async function walk(dir: string): Promise<void> {
    const real = await realpath(dir);
    if (visited.has(real)) return; // symlink loop
    visited.add(real);
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const abs = join(dir, entry.name);
      if (excluded.has(abs)) continue;
      const info = entry.isSymbolicLink() ? await stat(abs).catch(() => undefined) : await lstat(abs);
      if (!info) continue; // dangling symlink: nothing to package
      if (info.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) await walk(abs);
      } else if (info.isFile()) {
        files.push({
          name: relative(root, abs).split(sep).join('/'),
          absPath: abs,
          executable: (info.mode & 0o111) !== 0,
          size: info.size,
          mtimeMs: info.mtimeMs,
        });
      }
    }
  }
  await walk(root);
  return files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** A cheap fingerprint (names, sizes, mtimes) to tell whether a folder may have changed. */
export function fingerprint(files: PackageFile[]): string {
  const hash = createHash('sha256');
  for (const f of files) hash.update(`${f.name}\0${f.size}\0${f.mtimeMs}\0${f.executable ? 1 : 0}\n`);
  return hash.digest('hex');
}

const DOS_DATE_1980_01_01 = (0 << 9) | (1 << 5) | 1;
const UTF8_FLAG = 0x0800;

export interface ZipEntry {
  name: string;
  data: Buffer;
  /** Unix mode with file type bits, e.g. 0o100644; 0o120000 marks a symlink whose data is its target. */
  mode: number;
}

/** A zip of the given entries, in the given order, with fixed timestamps. */
export function buildZip(entries: ZipEntry[]): Buffer {
  const chunks: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const deflated = deflateRawSync(e.data);
    // Store when deflate does not help, as zip tools do.
    const method = deflated.length < e.data.length ? 8 : 0;
    const body = method === 8 ? deflated : e.data;
    const name = Buffer.from(e.name, 'utf8');
    const crc = crc32(e.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(UTF8_FLAG, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(0, 10);
    local.writeUInt16LE(DOS_DATE_1980_01_01, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(e.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE((3 << 8) | 20, 4); // made by unix, so external attributes carry the mode
    entry.writeUInt16LE(20, 6);
    entry.writeUInt16LE(UTF8_FLAG, 8);
    entry.writeUInt16LE(method, 10);
    entry.writeUInt16LE(0, 12);
    entry.writeUInt16LE(DOS_DATE_1980_01_01, 14);
    entry.writeUInt32LE(crc, 16);
    entry.writeUInt32LE(body.length, 20);
    entry.writeUInt32LE(e.data.length, 24);
    entry.writeUInt16LE(name.length, 28);
    entry.writeUInt32LE((e.mode << 16) >>> 0, 38);
    entry.writeUInt32LE(offset, 42);
    chunks.push(local, name, body);
    central.push(entry, name);
    offset += local.length + name.length + body.length;
  }
  const centralSize = central.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...chunks, ...central, end]);
}

export async function packageFiles(files: PackageFile[]): Promise<CodePackage> {
  const entries: ZipEntry[] = [];
  for (const f of files) {
    entries.push({ name: f.name, data: await readFile(f.absPath), mode: f.executable ? 0o100755 : 0o100644 });
  }
  const zip = buildZip(entries);
  const digest = createHash('sha256').update(zip).digest();
  return { zip, codeSha256: digest.toString('base64'), hashHex: digest.toString('hex'), codeSize: zip.length };
}

/** The deployment package of a folder. */
export async function packageFolder(root: string, exclude: string[] = []): Promise<CodePackage> {
  return packageFiles(await listPackageFiles(root, exclude));
}
