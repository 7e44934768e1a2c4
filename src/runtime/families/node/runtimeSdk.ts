// The AWS SDK for JavaScript v3 that Lambda's nodejs runtimes ship in /var/runtime/node_modules.
// Lambda Lab keeps it in the user cache (<cache>/aws-sdk/node_modules), installs from the npm
// registry only the packages a function's code names and cannot resolve by itself (from its own
// node_modules or its layers), and puts the folder where Lambda's sits on NODE_PATH: after the
// layers, before the task root. The function's own copy therefore wins, as in Lambda.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { npmInstall, RETRY_INSTALL_AFTER_MS, userCacheDir, withInstallLock } from '../../userCache';

/**
 * Imports of packages the runtime provides (`@aws-sdk/*` and their `@smithy/*` dependencies):
 * `require("…")`, `import("…")`, `from "…"`, `import "…"`. Only these forms count: a bundle that
 * includes the SDK also carries its package names as plain strings, which need nothing installed.
 */
const PROVIDED =
  /(?:require\s*\(\s*|import\s*\(\s*|\bfrom\s*|\bimport\s+)["'`]((?:@aws-sdk|@smithy)\/[a-z0-9][a-z0-9._-]*)(?:\/[^"'`\s]*)?["'`]/g;
const SOURCE = /\.(c|m)?js$/;
/** Bounds of the scan of a function's code (a bundle is one big file; node_modules is skipped). */
const MAX_FILES = 5000;
const MAX_FILE_BYTES = 20 * 1024 * 1024;

export interface RuntimeSdkEvents {
  progress(message: string): void;
  warning(message: string): void;
}

export class RuntimeSdk {
  /** Scan results per file, reused while the file is unchanged. */
  private readonly scans = new Map<string, { mtimeMs: number; size: number; names: string[] }>();
  /** Installs run one at a time: npm must not run twice in one prefix. */
  private installing: Promise<unknown> = Promise.resolve();
  /** Packages npm could not install lately: not tried again on every cold start. */
  private readonly failed = new Set<string>();

  constructor(
    private readonly events: RuntimeSdkEvents,
    readonly root = path.join(userCacheDir(), 'aws-sdk'),
  ) {}

  /** The folder that plays /var/runtime/node_modules. */
  get nodeModules(): string {
    return path.join(this.root, 'node_modules');
  }

  /**
   * Makes sure every SDK package the code in `codeDir` names is resolvable: from the code's own
   * node_modules, from `searchDirs` (the layers' node_modules), or from the cache, installing
   * the missing ones. Returns the cache's node_modules folder.
   */
  async prepare(codeDir: string, searchDirs: string[]): Promise<string> {
    const missing = [...this.namesIn(codeDir)].filter(
      (name) =>
        !this.failed.has(name) &&
        !resolvableFrom(codeDir, name) &&
        !searchDirs.some((d) => existsSync(path.join(d, name, 'package.json'))) &&
        !existsSync(path.join(this.nodeModules, name, 'package.json')),
    );
    if (missing.length === 0) return this.nodeModules;
    const run = this.installing.then(() => this.install(missing));
    this.installing = run.catch(() => undefined);
    await run;
    return this.nodeModules;
  }

  private install(names: string[]): Promise<void> {
    return withInstallLock(this.root, () => this.installLocked(names));
  }

  /** Under the lock: another process may have installed some of them meanwhile. */
  private async installLocked(names: string[]): Promise<void> {
    const wanted = names.filter((n) => !existsSync(path.join(this.nodeModules, n, 'package.json')));
    if (wanted.length === 0) return;
    this.events.progress(
      `Installing ${wanted.join(', ')} (the AWS SDK the Node.js runtime provides) into ${this.root} from the npm registry; later runs reuse it offline`,
    );
    const result = await npmInstall(
      this.root,
      wanted.map((n) => (n.startsWith('@aws-sdk/') ? `${n}@^3` : n)),
    );
    if (result.ok) return;
    for (const n of wanted) this.failed.add(n);
    setTimeout(() => wanted.forEach((n) => this.failed.delete(n)), RETRY_INSTALL_AFTER_MS).unref();
    this.events.warning(
      `cannot install ${wanted.join(', ')} from the npm registry (${result.detail}). Handlers importing them fail with ` +
        `Runtime.ImportModuleError until they are installed: connect to the registry and invoke again, or add them to the function's package.json.`,
    );
  }

  /** `@aws-sdk/*` / `@smithy/*` names in the function's own files (not its node_modules). */
  private namesIn(codeDir: string): Set<string> {
    const names = new Set<string>();
    let files = 0;
    const walk = (dir: string) => {
      let entries;
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const entry of entries) {
        if (files >= MAX_FILES) return;
        if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(file);
        else if (entry.isFile() && SOURCE.test(entry.name)) {
          files++;
          for (const name of this.scan(file)) names.add(name);
        }
      }
    };
    walk(codeDir);
    return names;
  }

  private scan(file: string): string[] {
    let stat;
    try {
      stat = statSync(file);
    } catch {
      return [];
    }
    const known = this.scans.get(file);
    if (known && known.mtimeMs === stat.mtimeMs && known.size === stat.size) return known.names;
    const text = stat.size > MAX_FILE_BYTES ? '' : readFileSync(file, 'utf8');
    const names = [...new Set([...text.matchAll(PROVIDED)].map((m) => m[1]))];
    this.scans.set(file, { mtimeMs: stat.mtimeMs, size: stat.size, names });
    return names;
  }
}

/** Whether node's own lookup from `dir` (node_modules of it and its ancestors) finds the package. */
function resolvableFrom(dir: string, name: string): boolean {
  for (let d = dir; ; d = path.dirname(d)) {
    if (existsSync(path.join(d, 'node_modules', name, 'package.json'))) return true;
    if (path.dirname(d) === d) return false;
  }
}
