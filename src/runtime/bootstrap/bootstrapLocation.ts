// Where our runtime clients (bootstraps) are once built: out/bootstrap/ of the lambda-lab
// package, found from this file whether it runs from src/ under tsx or bundled in out/.
import * as fs from 'node:fs';
import * as path from 'node:path';

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
  const file =
    language === 'python'
      ? path.join(root, 'out', 'bootstrap', 'python', 'bootstrap.py')
      : path.join(root, 'out', 'bootstrap', `${language}.js`);
  if (!fs.existsSync(file)) throw new Error(`Missing ${file}: run \`npm run build\` first`);
  return file;
}
