// Watches a function's code folder, subfolders included, and says when something in it changed.
// On Linux, Node's recursive fs.watch is built from per-file watches that stop seeing a file once
// it is replaced by a rename, which is how many editors save (write a temp file, rename it over
// the old one): after the first such save, later ones go unseen. A watch per folder sees every
// entry of the folder created, changed or renamed, so that is what is used there; elsewhere the
// platform's own recursive watch does it.
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface CodeWatcher {
  close(): void;
}

/** More folders than this under one code folder are not watched (a vendored tree, not code being edited). */
const MAX_FOLDERS = 4096;

/**
 * Calls `onChange` for each file event under `root` whose path (relative to root) `ignored`
 * does not reject. Throws if `root` itself cannot be watched.
 */
export function watchCode(root: string, ignored: (relative: string) => boolean, onChange: () => void): CodeWatcher {
  if (process.platform !== 'linux') {
    const watcher = fs.watch(root, { recursive: true }, (_event, file) => {
      if (!file || !ignored(String(file))) onChange();
    });
    watcher.unref();
    return watcher;
  }
  const watchers = new Map<string, fs.FSWatcher>();
  let closed = false;
  const watchFolder = (dir: string) => {
    if (closed || watchers.has(dir) || watchers.size >= MAX_FOLDERS) return;
    const relativeDir = path.relative(root, dir);
    if (relativeDir && ignored(relativeDir)) return;
    let watcher: fs.FSWatcher;
    try {
      watcher = fs.watch(dir, (_event, file) => {
        if (!file) return onChange();
        const relative = path.join(relativeDir, String(file));
        if (ignored(relative)) return;
        const full = path.join(dir, String(file));
        // A folder created or moved in: its files are code too.
        if (fs.statSync(full, { throwIfNoEntry: false })?.isDirectory()) walk(full);
        onChange();
      });
    } catch (err) {
      if (dir === root) throw err;
      return; // removed meanwhile, or unreadable: nothing to watch there
    }
    watcher.unref();
    // A watched folder that is deleted ends its watch; a new one of the same name is seen as a rename in its parent.
    watcher.on('error', () => {
      watcher.close();
      watchers.delete(dir);
    });
    watchers.set(dir, watcher);
  };
  const walk = (dir: string) => {
    if (watchers.has(dir)) return;
    watchFolder(dir);
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) if (entry.isDirectory()) walk(path.join(dir, entry.name));
  };
  walk(root);
  return {
    close() {
      closed = true;
      for (const w of watchers.values()) w.close();
      watchers.clear();
    },
  };
}

/**
 * Calls `onChange` when `file` is written, replaced (a rename over it, as npm saves its
 * lockfile) or removed: its folder is watched, so a replaced file stays seen.
 */
export function watchFile(file: string, onChange: () => void): CodeWatcher {
  const name = path.basename(file);
  const watcher = fs.watch(path.dirname(file), (_event, changed) => {
    if (!changed || String(changed) === name) onChange();
  });
  watcher.unref();
  watcher.on('error', () => watcher.close());
  return watcher;
}
