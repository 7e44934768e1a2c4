// Where a `Handler` leads in the function's code, one implementation per runtime language:
// the module file the managed runtime would load and the exports it would find there. A new
// language is one more entry of HANDLER_LANGUAGES.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { isTypeModule } from '../runtime/bootstrap/node/moduleType';
import { isNodeRuntime } from '../runtime/template/supportedRuntimes';

export interface ExportedName {
  name: string;
  /** 0-based line and character of the name in the file. */
  line: number;
  character: number;
}

export interface ModuleExports {
  names: ExportedName[];
  /** False when the file builds its exports in a way a scan can't follow (module.exports = f(...)). */
  complete: boolean;
}

export type HandlerTarget =
  | { kind: 'found'; file: string; export: ExportedName }
  | { kind: 'noFile'; tried: string[] }
  | { kind: 'noExport'; file: string; exportName: string; known: string[]; canCreate: boolean }
  | { kind: 'malformed'; message: string }
  | { kind: 'unknown' };

export interface HandlerLanguage {
  matches(runtime: string): boolean;
  /** `esbuild`: the code is built from sources (TypeScript) before it runs. */
  locate(codeDir: string, handler: string, esbuild: boolean): HandlerTarget;
  /** Handler strings for the handler-shaped exports of the files in codeDir. */
  candidates(codeDir: string, esbuild: boolean): string[];
  /** Source to append to a file so that it exports `name`. */
  exportStub(file: string, name: string): string;
}

const NODE_EXTENSIONS = ['', '.js', '.mjs', '.cjs'];
const NODE_SOURCE_EXTENSIONS = ['.ts', '.mts', '.cts', '.tsx', '.js', '.mjs', '.cjs'];
const IDENT = '[A-Za-z_$][\\w$]*';

/** Scans the text of a JavaScript/TypeScript module for its export names. */
function nodeExports(text: string): ModuleExports {
  const names: ExportedName[] = [];
  let complete = true;
  const add = (name: string, index: number): void => {
    if (names.some((n) => n.name === name)) return;
    const before = text.slice(0, index);
    const line = before.split('\n').length - 1;
    names.push({ name, line, character: index - (before.lastIndexOf('\n') + 1) });
  };
  const patterns = [
    new RegExp(`\\bexport\\s+(?:async\\s+)?function\\s*\\*?\\s*(${IDENT})`, 'g'),
    new RegExp(`\\bexport\\s+(?:const|let|var|class)\\s+(${IDENT})`, 'g'),
    new RegExp(`\\b(?:module\\.)?exports\\.(${IDENT})\\s*=`, 'g'),
    new RegExp(`\\bexports\\[['"](${IDENT})['"]\\]\\s*=`, 'g'),
  ];
  for (const p of patterns) for (const m of text.matchAll(p)) add(m[1], m.index + m[0].lastIndexOf(m[1]));
  for (const m of text.matchAll(/\bexport\s*\{([^}]*)\}/g)) {
    for (const part of m[1].split(',')) {
      const name = part
        .trim()
        .split(/\s+as\s+/)
        .pop()
        ?.trim();
      if (name && new RegExp(`^${IDENT}$`).test(name)) add(name, m.index + m[0].indexOf(part) + part.indexOf(name));
    }
  }
  for (const m of text.matchAll(/\bexport\s+default\b/g)) add('default', m.index);
  if (/\bexport\s*\*/.test(text)) complete = false;
  for (const m of text.matchAll(/\bmodule\.exports\s*=\s*/g)) {
    const rest = text.slice(m.index + m[0].length);
    const literal = /^\{([^{}]*)\}/.exec(rest);
    if (!literal) {
      complete = false;
      continue;
    }
    for (const part of literal[1].split(',')) {
      const name = new RegExp(`^\\s*(?:async\\s+)?(${IDENT})`).exec(part)?.[1];
      if (name) add(name, m.index + m[0].length + 1 + literal[1].indexOf(part) + part.indexOf(name));
    }
  }
  return { names, complete };
}

const MODULE_AND_PATH = /^([^.]*)\.(.*)$/;

const node: HandlerLanguage = {
  matches: isNodeRuntime,
  locate(codeDir, handler, esbuild) {
    // The same split and messages as the Node runtime interface client.
    if (handler.includes('..')) {
      return {
        kind: 'malformed',
        message: `'${handler}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`,
      };
    }
    const moduleAndPath = path.posix.basename(handler);
    const match = MODULE_AND_PATH.exec(moduleAndPath);
    if (!match) return { kind: 'malformed', message: `Bad handler ${handler}: write it as <file>.<export>, e.g. app.handler` };
    const [, moduleName, propertyPath] = match;
    const base = path.resolve(codeDir, handler.slice(0, handler.length - moduleAndPath.length), moduleName);
    const tried = (esbuild ? NODE_SOURCE_EXTENSIONS : NODE_EXTENSIONS).map((ext) => base + ext);
    const file = tried.find((f) => existsSync(f) && statSync(f).isFile());
    if (!file) return { kind: 'noFile', tried };
    const exportName = propertyPath.split('.')[0];
    const exports = nodeExports(readFileSync(file, 'utf8'));
    const found = exports.names.find((n) => n.name === exportName);
    if (found) return { kind: 'found', file, export: found };
    if (!exports.complete) return { kind: 'unknown' };
    return { kind: 'noExport', file, exportName, known: exports.names.map((n) => n.name), canCreate: !propertyPath.includes('.') };
  },
  candidates(codeDir, esbuild) {
    const extensions = esbuild ? NODE_SOURCE_EXTENSIONS : NODE_EXTENSIONS.filter(Boolean);
    return listFiles(codeDir, (f) => extensions.includes(path.extname(f)) && !f.endsWith('.d.ts')).flatMap((rel) => {
      const stem = rel.slice(0, rel.length - path.extname(rel).length);
      return nodeExports(readFileSync(path.join(codeDir, rel), 'utf8')).names.map((n) => `${stem}.${n.name}`);
    });
  },
  exportStub(file, name) {
    const esm =
      /\.m[jt]s$/.test(file) ||
      /\.tsx?$/.test(file) ||
      (file.endsWith('.js') && isTypeModule(path.dirname(file))) ||
      /^\s*(import|export)\s/m.test(readFileSync(file, 'utf8'));
    return esm
      ? `\nexport const ${name} = async (event, context) => {\n  return {};\n};\n`
      : `\nexports.${name} = async (event, context) => {\n  return {};\n};\n`;
  },
};

/** Python's `module.function`, the module a dotted or slashed path under the code folder (as awslambdaric reads it). */
const python: HandlerLanguage = {
  matches: (runtime) => runtime.startsWith('python'),
  locate(codeDir, handler) {
    const dot = handler.lastIndexOf('.');
    if (dot <= 0)
      return { kind: 'malformed', message: `Bad handler '${handler}': write it as <module>.<function>, e.g. app.lambda_handler` };
    const modulePath = handler.slice(0, dot).replace(/\./g, '/');
    const functionName = handler.slice(dot + 1);
    const tried = [path.resolve(codeDir, `${modulePath}.py`), path.resolve(codeDir, modulePath, '__init__.py')];
    const file = tried.find((f) => existsSync(f));
    if (!file) return { kind: 'noFile', tried };
    const names = pythonNames(readFileSync(file, 'utf8'));
    const found = names.find((n) => n.name === functionName);
    if (found) return { kind: 'found', file, export: found };
    return { kind: 'noExport', file, exportName: functionName, known: names.map((n) => n.name), canCreate: true };
  },
  candidates(codeDir) {
    return listFiles(codeDir, (f) => f.endsWith('.py')).flatMap((rel) => {
      const module = rel
        .slice(0, -3)
        .replace(/\/__init__$/, '')
        .replace(/\//g, '.');
      return pythonNames(readFileSync(path.join(codeDir, rel), 'utf8')).map((n) => `${module}.${n.name}`);
    });
  },
  exportStub: (_file, name) => `\n\ndef ${name}(event, context):\n    return {}\n`,
};

function pythonNames(text: string): ExportedName[] {
  const out: ExportedName[] = [];
  text.split('\n').forEach((line, i) => {
    const m = /^(?:async\s+)?def\s+([A-Za-z_]\w*)\s*\(/.exec(line) ?? /^([A-Za-z_]\w*)\s*=/.exec(line);
    if (m) out.push({ name: m[1], line: i, character: line.indexOf(m[1]) });
  });
  return out;
}

const HANDLER_LANGUAGES: HandlerLanguage[] = [node, python];

export function handlerLanguageOf(runtime: string): HandlerLanguage | undefined {
  return HANDLER_LANGUAGES.find((l) => l.matches(runtime));
}

/** Files under dir (relative, `/`-separated), skipping dependencies and hidden folders; bounded. */
function listFiles(dir: string, keep: (file: string) => boolean, limit = 200): string[] {
  const out: string[] = [];
  const visit = (rel: string, depth: number): void => {
    if (depth > 4 || out.length >= limit) return;
    let entries;
    try {
      entries = readdirSync(path.join(dir, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.name.startsWith('.') || e.name === 'node_modules' || e.name === '__pycache__') continue;
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) visit(child, depth + 1);
      else if (keep(child) && out.length < limit) out.push(child);
    }
  };
  visit('', 0);
  return out;
}
