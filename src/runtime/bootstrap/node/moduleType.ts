// Whether a `.js` file is an ES module, decided as Node decides it: by the nearest package.json
// (not crossing a node_modules folder) declaring "type": "module". Shared by the bootstrap's
// handler loader and the language server's handler lookup, which must agree.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** `onUnreadable` hears of a package.json that cannot be parsed (it then counts as CommonJS). */
export function isTypeModule(folder: string, onUnreadable?: (manifest: string, error: unknown) => void): boolean {
  for (let dir = folder; ; dir = path.dirname(dir)) {
    if (path.basename(dir) === 'node_modules') return false;
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        return (JSON.parse(readFileSync(manifest, 'utf8')) as { type?: unknown } | null)?.type === 'module';
      } catch (error) {
        onUnreadable?.(manifest, error);
        return false;
      }
    }
    if (path.dirname(dir) === dir) return false;
  }
}
