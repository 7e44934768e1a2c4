// Bundles test/bench/index.ts into out/bench/index.js, as scripts/build.mjs bundles the product,
// so `npm run bench` times the code users run: tsx keeps function names by wrapping every
// function it creates (`__name`), a cost on hot paths the shipped bundle does not have.
// npm packages stay outside the bundle. Each source file keeps its own __dirname and __filename,
// which the benches and their harnesses use to find fixtures, the build output and themselves.
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

const ownPaths = {
  name: 'own-dirname',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const contents = source
        .replace(/\b__dirname\b/g, JSON.stringify(path.dirname(args.path)))
        .replace(/\b__filename\b/g, JSON.stringify(args.path));
      return { contents, loader: 'ts' };
    });
  },
};

await build({
  entryPoints: ['test/bench/index.ts'],
  outfile: 'out/bench/index.js',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  packages: 'external',
  sourcemap: true,
  plugins: [ownPaths],
  logLevel: 'warning',
});
