// One source-map implementation for the debugger (async, by script) and the editor (sync, by
// built file): both find the same original positions in real esbuild output, whichever way
// the build names its map (a file beside it, or inline).
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { SourceMapCache, sourceMapOfFile } from '../../src/debug/sourceMaps';
import { toSource } from '../../src/vscode/sourceLocations';

const SOURCE = `export function greet(name: string): string {
  const text = \`hello \${name}\`;
  return text;
}
`;

describe('source maps', function () {
  this.timeout(30_000);
  let dir: string;
  let source: string;

  before(() => {
    // A space in the folder: map sources are URLs, file paths are not.
    dir = mkdtempSync(path.join(os.tmpdir(), 'lambda-lab maps-'));
    mkdirSync(path.join(dir, 'src'));
    source = path.join(dir, 'src', 'greet.ts');
    writeFileSync(source, SOURCE);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const builds: Array<['linked' | 'inline', string]> = [
    ['linked', 'dist-linked'],
    ['inline', 'dist-inline'],
  ];
  for (const [sourcemap, out] of builds) {
    it(`maps a map ${sourcemap === 'inline' ? 'inlined in the build' : 'beside the build'} both ways, the same for the debugger and the editor`, async () => {
      await build({ entryPoints: [source], outdir: path.join(dir, out), sourcemap, format: 'cjs', platform: 'node', logLevel: 'silent' });
      const generated = path.join(dir, out, 'greet.js');

      const sync = sourceMapOfFile(generated);
      assert.ok(sync, 'the editor finds the map through the sourceMappingURL comment');
      assert.deepEqual(sync.sources, [source]);
      const returnLine = sync.toGenerated(source, 3);
      assert.ok(returnLine);
      assert.equal(returnLine.path, generated);
      assert.deepEqual(sync.toOriginal(returnLine.line, returnLine.column), { path: source, line: 3, column: 2 });

      const url = sourcemap === 'inline' ? inlineUrl(generated) : 'greet.js.map';
      const cache = new SourceMapCache();
      const async = await cache.forScript(pathToFileURL(generated).href, url);
      assert.ok(async, 'the debugger finds the map the inspector names');
      assert.deepEqual(async.toGenerated(source, 3), returnLine);
      assert.equal(cache.forGenerated(generated), async);

      // The editor counts from 1 both ways; column 1 lies before the line's first mapping.
      assert.deepEqual(toSource({ file: pathToFileURL(generated).href, line: returnLine.line, column: 1 }), {
        file: source,
        line: 3,
        column: 3,
      });
    });
  }

  it('finds maps ahead of time under a code folder, and re-reads a rebuilt one', async () => {
    const out = path.join(dir, 'dist-scan');
    await build({ entryPoints: [source], outdir: out, sourcemap: true, format: 'cjs', platform: 'node', logLevel: 'silent' });
    const cache = new SourceMapCache();
    const [first] = await cache.scan(out);
    assert.ok(first?.hasSource(source));
    assert.equal((await cache.scan(out))[0], first, 'unchanged maps come from the cache');
    const later = new Date(Date.now() + 5000);
    utimesSync(path.join(out, 'greet.js.map'), later, later);
    assert.notEqual((await cache.scan(out))[0], first, 'a rebuilt map is read again');
  });

  it('leaves files without a map, or with a broken one, where they are', () => {
    const plain = path.join(dir, 'plain.js');
    writeFileSync(plain, 'module.exports = 1;\n');
    assert.equal(sourceMapOfFile(plain), undefined);
    assert.deepEqual(toSource({ file: plain, line: 1, column: 1 }), { file: plain, line: 1, column: 1 });
    const broken = path.join(dir, 'broken.js');
    writeFileSync(broken, 'module.exports = 1;\n//# sourceMappingURL=broken.js.map\n');
    writeFileSync(`${broken}.map`, '{ not json');
    assert.equal(sourceMapOfFile(broken), undefined);
  });
});

/** The data: URL an inline map is given by, as the inspector reports it. */
function inlineUrl(generated: string): string {
  return /sourceMappingURL=(\S+)/.exec(readFileSync(generated, 'utf8'))![1];
}
