// Which node runs a function, and where our bootstraps are. nodejs18.x–24.x run on the local
// node unless the user maps a runtime to a binary of the right major version.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

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

/** The package root: the folder holding our package.json (works from src/ under tsx and from out/). */
function packageRoot(): string {
  let dir = __dirname;
  while (dir !== path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, 'utf8')).name === 'lambda-lab') return dir;
    dir = path.dirname(dir);
  }
  throw new Error(`Cannot find the lambda-lab package root above ${__dirname}`);
}

let root: string | undefined;

/** out/bootstrap/node.js or out/bootstrap/python/bootstrap.py, put there by `npm run build`. */
export function locateBootstrap(language: 'node' | 'python'): string {
  root ??= packageRoot();
  const file = language === 'python' ? path.join(root, 'out', 'bootstrap', 'python', 'bootstrap.py') : path.join(root, 'out', 'bootstrap', `${language}.js`);
  if (!fs.existsSync(file)) throw new Error(`Missing ${file}: run \`npm run build\` first`);
  return file;
}
