// Safe extraction of a zip (layer content, deployment packages): every entry must land inside
// the target folder ("zip slip" entries like `../x` or `/etc/x`, and symlinks pointing out,
// are refused), unix modes are kept so `bin/` tools stay executable.
import { createWriteStream } from 'node:fs';
import { chmod, mkdir, symlink } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import * as yauzl from 'yauzl';
import { unzippedSizeTooLarge } from '../errors/serviceErrors';

/** Lambda's limit on a deployment package or layer, and on a function plus its layers, unzipped. */
export const MAX_UNZIPPED_BYTES = 262_144_000;

export class UnsafeZipError extends Error {
  constructor(
    readonly zipLabel: string,
    readonly entryName: string,
  ) {
    super(
      `${zipLabel}: zip entry "${entryName}" would be written outside the folder it is extracted to ` +
        `(absolute path or "..") — refused. Rebuild the zip with paths relative to its root.`,
    );
    this.name = 'UnsafeZipError';
  }
}

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const S_IFDIR = 0o040000;

function inside(root: string, path: string): boolean {
  return path === root || path.startsWith(root + sep);
}

function openZip(source: string | Buffer): Promise<yauzl.ZipFile> {
  const options: yauzl.Options = { lazyEntries: true, autoClose: true };
  return new Promise((ok, fail) => {
    const done = (err: Error | null, zip: yauzl.ZipFile) => (err ? fail(err) : ok(zip));
    if (typeof source === 'string') yauzl.open(source, options, done);
    else yauzl.fromBuffer(source, options, done);
  });
}

function readStream(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Readable> {
  return new Promise((ok, fail) => zip.openReadStream(entry, (err, stream) => (err ? fail(err) : ok(stream))));
}

async function readAll(stream: Readable): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(chunk as Buffer);
  return Buffer.concat(parts).toString('utf8');
}

/**
 * Extracts `source` (a zip file path or its bytes) into `target` (created if missing).
 * `label` names the zip in errors, e.g. `layer SharedLayer (layers/shared.zip)`.
 * Symlinks are created last, so no file is ever written through one.
 */
export async function extractZip(source: string | Buffer, target: string, label: string, limit = MAX_UNZIPPED_BYTES): Promise<void> {
  // Refused from the central directory alone, before a byte is written.
  const total = await zipUnzippedSize(source).catch(() => 0);
  if (total > limit) throw unzippedSizeTooLarge(limit, `${label} unpacks to ${total} bytes`);
  const root = resolve(target);
  await mkdir(root, { recursive: true });
  let zip: yauzl.ZipFile;
  try {
    zip = await openZip(source);
  } catch (err) {
    throw new Error(`${label}: not a readable zip file (${(err as Error).message}).`);
  }
  const links = new Map<string, string>();
  let declared = 0;
  await new Promise<void>((ok, fail) => {
    const failWith = (err: Error) => {
      zip.close();
      // yauzl itself refuses `../` and absolute names while reading the central directory.
      const slip = /^invalid relative path: (.*)$|^absolute path: (.*)$/.exec(err.message);
      fail(slip ? new UnsafeZipError(label, slip[1] ?? slip[2]) : err);
    };
    zip.on('error', failWith);
    zip.on('end', ok);
    zip.on('entry', (entry: yauzl.Entry) => {
      // yauzl fails an entry whose data outgrows its declared size, so the declared sizes bound what is written.
      declared += entry.uncompressedSize;
      if (declared > limit) return failWith(unzippedSizeTooLarge(limit, `${label} unpacks to more than that`));
      writeEntry(zip, entry, root, label, links).then(() => zip.readEntry(), failWith);
    });
    zip.readEntry();
  });
  for (const [dest, linkTarget] of links) {
    checkLinkTarget(root, dest, linkTarget, links, label);
    await symlink(linkTarget, dest);
  }
}

/** What a zip file unpacks to (the sum of its entries' sizes), from its central directory alone. */
export async function zipUnzippedSize(source: string | Buffer): Promise<number> {
  const zip = await openZip(source);
  let total = 0;
  await new Promise<void>((ok, fail) => {
    zip.on('entry', (entry: yauzl.Entry) => {
      total += entry.uncompressedSize;
      zip.readEntry();
    });
    zip.on('end', ok);
    zip.on('error', fail);
    zip.readEntry();
  });
  return total;
}

/** A link must stay inside root when followed, without passing through another link of the zip. */
function checkLinkTarget(root: string, dest: string, linkTarget: string, links: Map<string, string>, label: string): void {
  const refuse = () => new UnsafeZipError(label, `${relative(root, dest)} -> ${linkTarget}`);
  if (isAbsolute(linkTarget)) throw refuse();
  let at = dirname(dest);
  for (const part of linkTarget.split(/[\\/]+/)) {
    if (links.has(at) || !inside(root, at)) throw refuse();
    at = resolve(at, part);
  }
  if (!inside(root, at)) throw refuse();
}

async function writeEntry(zip: yauzl.ZipFile, entry: yauzl.Entry, root: string, label: string, links: Map<string, string>): Promise<void> {
  const name = entry.fileName;
  const dest = resolve(root, name);
  if (isAbsolute(name) || !inside(root, dest) || dest === root) throw new UnsafeZipError(label, name);
  for (let up = dirname(dest); up !== root; up = dirname(up)) {
    if (links.has(up)) throw new UnsafeZipError(label, name); // would be written through a symlink
  }
  const madeByUnix = entry.versionMadeBy >> 8 === 3;
  const mode = madeByUnix ? entry.externalFileAttributes >>> 16 : 0;
  if (name.endsWith('/') || (mode & S_IFMT) === S_IFDIR) {
    await mkdir(dest, { recursive: true });
    return;
  }
  await mkdir(dirname(dest), { recursive: true });
  const stream = await readStream(zip, entry);
  if ((mode & S_IFMT) === S_IFLNK) {
    links.set(dest, await readAll(stream));
    return;
  }
  await pipeline(stream, createWriteStream(dest));
  const perm = mode & 0o777;
  if (perm) await chmod(dest, perm);
}
