// Bundles every entry point into out/. An entry whose source does not exist yet is skipped
// with a note, so rooms can land one at a time.
import { build, context } from 'esbuild';
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

const entries = [
  { in: 'src/cli/main.ts', out: 'cli', banner: '#!/usr/bin/env node' },
  { in: 'src/runtime/bootstrap/node/bootstrap.ts', out: 'bootstrap/node' },
  { in: 'src/debug/debugAdapterMain.ts', out: 'debugAdapter' },
  { in: 'src/vscode/extension.ts', out: 'extension' },
  { in: 'src/language/server.ts', out: 'languageServer' },
  { in: 'test/vscode/index.ts', out: 'test/vscode/index' },
];

// The Python bootstrap runs as source under the function's interpreter: copied, not bundled.
const PYTHON_BOOTSTRAP = { from: 'src/runtime/bootstrap/python', to: 'out/bootstrap/python' };
function copyPythonBootstrap() {
  if (!existsSync(PYTHON_BOOTSTRAP.from)) return;
  rmSync(PYTHON_BOOTSTRAP.to, { recursive: true, force: true });
  cpSync(PYTHON_BOOTSTRAP.from, PYTHON_BOOTSTRAP.to, {
    recursive: true,
    filter: (source) => !source.includes('__pycache__'),
  });
}

// V8 holds a script's source while it runs, at two bytes a character when any character is
// beyond Latin-1. esbuild escapes strings (charset ascii) but writes the comments it keeps as they
// are: one arrow in a comment would double the memory the source of a whole bundle takes.
const asciiOutput = (file) => ({
  name: 'ascii-output',
  setup(b) {
    b.onEnd((result) => {
      if (result.errors.length || !existsSync(file)) return;
      const text = readFileSync(file, 'utf8');
      const ascii = text.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
      if (ascii !== text) writeFileSync(file, ascii);
    });
  },
});

const watch = process.argv.includes('--watch');
copyPythonBootstrap();
const present = entries.filter((e) => existsSync(e.in));
const options = (e) => ({
  entryPoints: [{ in: e.in, out: e.out }],
  outdir: 'out',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  // esbuild runs its own native binary, so it is loaded from node_modules, never bundled.
  external: ['vscode', 'mocha', 'esbuild'],
  banner: e.banner ? { js: e.banner } : undefined,
  plugins: [asciiOutput(`out/${e.out}.js`)],
  logLevel: 'warning',
});
if (watch) {
  for (const e of present) await (await context(options(e))).watch();
} else {
  // Every entry is attempted, so one broken room does not hide the others' errors.
  const results = await Promise.allSettled(present.map((e) => build(options(e))));
  if (results.some((r) => r.status === 'rejected')) process.exit(1);
}
