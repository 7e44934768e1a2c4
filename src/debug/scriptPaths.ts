// How the inspector names scripts (file URLs, `node:` ids) versus the file paths DAP uses,
// and the regular expressions that match a file's script before it is loaded.
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const caseInsensitive = process.platform === 'win32' || process.platform === 'darwin';

/** The file path of a script URL, or undefined for scripts that are not files (node:internal, eval). */
export function scriptUrlToPath(url: string): string | undefined {
  if (url.startsWith('file://')) {
    try {
      return fileURLToPath(url);
    } catch {
      return undefined;
    }
  }
  return path.isAbsolute(url) ? url : undefined;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function foldCase(regexSource: string): string {
  if (!caseInsensitive) return regexSource;
  return regexSource.replace(/[a-z]/gi, (c) => `[${c.toLowerCase()}${c.toUpperCase()}]`);
}

/** Matches the script of `filePath` whether Node names it by path (old CJS) or file URL (CJS and ESM). */
export function urlRegexForPath(filePath: string): string {
  const asUrl = pathToFileURL(filePath).href;
  return foldCase(`^(?:${escapeRegExp(asUrl)}|${escapeRegExp(filePath)})$`);
}

/** Placeholder for Node's own modules, as in VS Code's JavaScript debugger. */
export const NODE_INTERNALS = '<node_internals>';

/**
 * A skipFiles glob (`**`, `*`, `?`, `<node_internals>/**`) as a regex over script URLs,
 * for Debugger.setBlackboxPatterns.
 */
export function skipGlobToUrlRegex(glob: string): string {
  if (glob.startsWith(NODE_INTERNALS)) return '^node:';
  let body = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      body += '.*';
      i++;
      if (glob[i + 1] === '/') i++;
    } else if (c === '*') body += '[^/]*';
    else if (c === '?') body += '[^/]';
    else body += escapeRegExp(c);
  }
  // Relative globs match at any folder depth. Scripts are named by file URL; match a bare path too.
  const anchored = path.isAbsolute(glob) ? body : `(?:.*/)?${body}`;
  return foldCase(`^(?:file://)?${anchored}$`);
}

/** True if the script URL matches one of the skip patterns. */
export function isSkipped(url: string, patterns: RegExp[]): boolean {
  return patterns.some((p) => p.test(url));
}
