// Local esbuild builds are for running and debugging, whatever the template says about
// Sourcemap and Minify: a map for the debugger is always written (external, so the code runs
// as the template asked), names stay readable under Minify, the editor's error locations go
// back to the .ts line through that map, and a changed lockfile or build property is a new build.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sourceMapOfFile } from '../../src/debug/sourceMaps';
import { EsbuildBuilder } from '../../src/runtime/build/esbuildBuilder';
import { loadTemplate } from '../../src/runtime/template/templateLoader';

const TEMPLATE = (props: string) => `Transform: AWS::Serverless-2016-10-31
Resources:
  OrdersFunction:
    Type: AWS::Serverless::Function
    Properties: { Runtime: nodejs20.x, Handler: app.handler, CodeUri: src }
    Metadata:
      BuildMethod: esbuild
      BuildProperties:
        EntryPoints: [app.ts]
${props}`;

const APP = [
  'function computeOrderTotal(quantity: number, unitPrice: number): number {',
  '  const subtotalBeforeTax = quantity * unitPrice;',
  '  return subtotalBeforeTax * 1.2;',
  '}',
  'export const handler = async (event: { quantity: number }) => {',
  '  if (event.quantity < 0) throw new Error("negative quantity at app.ts line 6");',
  '  return computeOrderTotal(event.quantity, 10);',
  '};',
].join('\n');

describe('esbuild builds for debugging', function () {
  this.timeout(60_000);
  let project: string;
  let builder: EsbuildBuilder;
  const load = async (props: string) => {
    writeFileSync(join(project, 'template.yaml'), TEMPLATE(props));
    const model = await loadTemplate(join(project, 'template.yaml'), { stateDir: join(project, '.lambda-lab') });
    return model.functions[0];
  };

  beforeEach(() => {
    project = mkdtempSync(join(tmpdir(), 'lambda-lab-esbuild-debug-'));
    mkdirSync(join(project, 'src'));
    writeFileSync(join(project, 'src', 'app.ts'), APP);
    builder = new EsbuildBuilder();
  });
  afterEach(async () => {
    await builder.dispose();
    rmSync(project, { recursive: true, force: true });
  });

  it('Sourcemap: false with Minify: true builds unminified with an external map, without changing how the code runs', async () => {
    const fn = await load('        Sourcemap: false\n        Minify: true\n');
    assert.equal(fn.environment.NODE_OPTIONS, undefined, 'stack traces stay unmapped at run time, as the template says');
    const result = await builder.build(fn);
    const js = readFileSync(join(fn.codeDir, 'app.js'), 'utf8');
    assert.deepEqual(result.outputFiles.sort(), [join(fn.codeDir, 'app.js'), join(fn.codeDir, 'app.js.map')]);
    assert.doesNotMatch(js, /sourceMappingURL/);
    assert.match(js, /computeOrderTotal/);
    assert.match(js, /subtotalBeforeTax/);

    const line = js.split('\n').findIndex((l) => l.includes('negative quantity'));
    const column = js.split('\n')[line].indexOf('throw');
    const original = sourceMapOfFile(join(fn.codeDir, 'app.js'))?.toOriginal(line + 1, column);
    assert.deepEqual(original && { path: original.path, line: original.line }, { path: join(project, 'src', 'app.ts'), line: 6 });
  });

  it('Sourcemap: true keeps a linked map (Node maps stack traces with --enable-source-maps)', async () => {
    const fn = await load('        Sourcemap: true\n');
    await builder.build(fn);
    assert.match(readFileSync(join(fn.codeDir, 'app.js'), 'utf8'), /\/\/# sourceMappingURL=app\.js\.map\s*$/);
    assert.equal(fn.environment.NODE_OPTIONS, '--enable-source-maps');
  });

  it('a changed lockfile or build property starts a fresh build; unchanged inputs rebuild incrementally', async () => {
    const lockfile = join(project, 'package-lock.json');
    writeFileSync(lockfile, '{"lockfileVersion":3}');
    let fn = await load('        Sourcemap: false\n');
    assert.equal((await builder.build(fn)).incremental, false);
    assert.equal((await builder.build(fn)).incremental, true);

    utimesSync(lockfile, new Date(), new Date(Date.now() + 5_000));
    assert.equal((await builder.build(fn)).incremental, false, 'lockfile changed');
    assert.equal((await builder.build(fn)).incremental, true);

    fn = await load('        Sourcemap: true\n');
    assert.equal((await builder.build(fn)).incremental, false, 'Sourcemap changed');
    assert.match(readFileSync(join(fn.codeDir, 'app.js'), 'utf8'), /sourceMappingURL=app\.js\.map/);
  });
});
