// esbuild builds of SAM `BuildMethod: esbuild` functions: outputs named after the entry
// points, source maps that lead back to the .ts lines (for Node's stack traces and for
// debuggers), incremental rebuilds with the files read, and errors naming file:line:col.
import { originalPositionFor, TraceMap } from '@jridgewell/trace-mapping';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BuildError } from '../../src/runtime/build/buildError';
import { EsbuildBuilder } from '../../src/runtime/build/esbuildBuilder';
import type { FunctionConfig } from '../../src/runtime/functionConfig';
import { loadTemplate } from '../../src/runtime/template/templateLoader';

describe('esbuild builds', function () {
  this.timeout(60_000);
  let project: string;
  let functions: Map<string, FunctionConfig>;
  let builder: EsbuildBuilder;
  const src = (...parts: string[]) => join(project, 'src', ...parts);

  beforeEach(async () => {
    project = mkdtempSync(join(tmpdir(), 'lambda-lab-esbuild-'));
    cpSync(join(__dirname, '../fixtures/templates/esbuild'), project, { recursive: true });
    const model = await loadTemplate(join(project, 'template.yaml'), { stateDir: join(project, '.lambda-lab') });
    functions = new Map(model.functions.map((f) => [f.logicalId, f]));
    builder = new EsbuildBuilder();
  });
  afterEach(async () => {
    await builder.dispose();
    rmSync(project, { recursive: true, force: true });
  });

  it('bundles a CommonJS function into codeDir as <entry>.js with a linked source map', async () => {
    const fn = functions.get('CjsFunction')!;
    assert.equal(fn.codeDir, join(project, '.lambda-lab', 'build', 'CjsFunction'));
    const result = await builder.build(fn);
    assert.deepEqual(result.outputFiles.sort(), [join(fn.codeDir, 'app.js'), join(fn.codeDir, 'app.js.map')]);
    assert.deepEqual(result.inputs.sort(), [src('app.ts'), src('lib', 'greet.ts')]);
    assert.equal(result.incremental, false);
    assert.match(readFileSync(join(fn.codeDir, 'app.js'), 'utf8'), /\/\/# sourceMappingURL=app\.js\.map\s*$/);
    // The built handler runs in a real Node process, the way the bootstrap will require it.
    const out = execFileSync(process.execPath, [
      '-e',
      `require(${JSON.stringify(join(fn.codeDir, 'app.js'))}).handler({ name: 'lab' }).then((r) => process.stdout.write(r))`,
    ]);
    assert.equal(out.toString(), 'hello lab');
  });

  it('maps generated code back to the .ts line through absolute source paths', async () => {
    const fn = functions.get('CjsFunction')!;
    await builder.build(fn);
    const js = readFileSync(join(fn.codeDir, 'app.js'), 'utf8').split('\n');
    const line = js.findIndex((l) => l.includes('thrown at app.ts line 8'));
    assert.ok(line >= 0, 'marker not found in the output');
    const map = new TraceMap(readFileSync(join(fn.codeDir, 'app.js.map'), 'utf8'));
    const column = js[line].indexOf('throw');
    const original = originalPositionFor(map, { line: line + 1, column });
    assert.equal(original.source, src('app.ts'));
    assert.equal(original.line, 8);

    // Node itself (NODE_OPTIONS=--enable-source-maps, which the template loader adds) reports the .ts line.
    assert.equal(fn.environment.NODE_OPTIONS, '--enable-source-maps');
    const run = spawnSync(process.execPath, [
      '--enable-source-maps',
      '-e',
      `require(${JSON.stringify(join(fn.codeDir, 'app.js'))}).fail().catch((e) => { console.log(e.stack); })`,
    ]);
    assert.match(run.stdout.toString(), new RegExp(`${src('app.ts').replace(/[.\\/]/g, '\\$&')}:8:\\d+`));
  });

  it('emits .mjs for Format esm with OutExtension .js=.mjs, loadable as an ES module', async () => {
    const fn = functions.get('EsmFunction')!;
    const result = await builder.build(fn);
    // Sourcemap: false still writes an external map, for the debugger only.
    assert.deepEqual(result.outputFiles.sort(), [join(fn.codeDir, 'app.mjs'), join(fn.codeDir, 'app.mjs.map')]);
    const out = execFileSync(process.execPath, [
      '--input-type=module',
      '-e',
      `const m = await import(${JSON.stringify(join(fn.codeDir, 'app.mjs'))}); process.stdout.write(await m.handler({}))`,
    ]);
    assert.equal(out.toString(), 'hello world');
  });

  it('rebuilds incrementally after a change and reports compile errors with file:line:col', async () => {
    const fn = functions.get('CjsFunction')!;
    await builder.build(fn);
    writeFileSync(src('lib', 'greet.ts'), 'export function greet(name: string): string {\n  return `hi ${name}`;\n}\n');
    const second = await builder.build(fn);
    assert.equal(second.incremental, true);
    assert.match(readFileSync(join(fn.codeDir, 'app.js'), 'utf8'), /hi \$\{name\}/);

    writeFileSync(src('lib', 'greet.ts'), 'export function greet(name: string): string {\n  return name +;\n}\n');
    const failure = await builder.build(fn).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(failure instanceof BuildError, `expected a BuildError, got ${String(failure)}`);
    assert.equal(failure.logicalId, 'CjsFunction');
    assert.deepEqual(
      { file: failure.problems[0].file, line: failure.problems[0].line, column: failure.problems[0].column },
      { file: src('lib', 'greet.ts'), line: 2, column: 16 },
    );
    assert.match(failure.message, /^CjsFunction: build failed\n.*greet\.ts:2:16: Unexpected ";"/);
    // The last good output stays in place while the source is broken.
    assert.ok(existsSync(join(fn.codeDir, 'app.js')));

    writeFileSync(src('lib', 'greet.ts'), 'export function greet(name: string): string {\n  return `fixed ${name}`;\n}\n');
    await builder.build(fn);
    assert.match(readFileSync(join(fn.codeDir, 'app.js'), 'utf8'), /fixed \$\{name\}/);
  });

  it("applies SAM's MainFields, Loader, Banner, Footer and SourcesContent, resolving from the function's own node_modules", async () => {
    const dir = join(project, 'props');
    const pkg = join(dir, 'node_modules', 'dual');
    mkdirSync(pkg, { recursive: true });
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'dual', main: 'main.js', module: 'module.mjs' }));
    writeFileSync(join(pkg, 'main.js'), "exports.kind = 'main';");
    writeFileSync(join(pkg, 'module.mjs'), "export const kind = 'module';");
    writeFileSync(join(dir, 'note.txt'), 'text through the loader');
    writeFileSync(
      join(dir, 'app.ts'),
      [
        "import { kind } from 'dual';",
        "import note from './note.txt';",
        'export const handler = async () => ({ kind, note, banner: (globalThis as { bannerRan?: boolean }).bannerRan === true });',
      ].join('\n'),
    );
    writeFileSync(
      join(project, 'template.yaml'),
      `Resources:
  Props:
    Type: AWS::Serverless::Function
    Properties: { Runtime: nodejs20.x, Handler: app.handler, CodeUri: props }
    Metadata:
      BuildMethod: esbuild
      BuildProperties:
        EntryPoints: [app.ts]
        MainFields: module,main
        Loader: [.txt=text]
        Banner: js=globalThis.bannerRan = true;
        Footer: js=// footer-marker
        Sourcemap: true
        SourcesContent: false
`,
    );
    const model = await loadTemplate(join(project, 'template.yaml'), { stateDir: join(project, '.lambda-lab') });
    assert.deepEqual(model.diagnostics, []);
    const fn = model.functions[0];
    await builder.build(fn);
    const out = execFileSync(process.execPath, [
      '-e',
      `require(${JSON.stringify(join(fn.codeDir, 'app.js'))}).handler().then((r) => process.stdout.write(JSON.stringify(r)))`,
    ]);
    assert.deepEqual(JSON.parse(out.toString()), { kind: 'module', note: 'text through the loader', banner: true });
    assert.match(readFileSync(join(fn.codeDir, 'app.js'), 'utf8'), /\/\/ footer-marker\s*(\/\/# sourceMappingURL=app\.js\.map\s*)?$/);
    assert.equal(JSON.parse(readFileSync(join(fn.codeDir, 'app.js.map'), 'utf8')).sourcesContent, undefined);
  });

  it('warns about a BuildProperties entry SAM does not know, pointing at it', async () => {
    writeFileSync(
      join(project, 'template.yaml'),
      `Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties: { Runtime: nodejs20.x, Handler: app.handler, CodeUri: src }
    Metadata:
      BuildMethod: esbuild
      BuildProperties:
        EntryPoints: [app.ts]
        Minifyy: true
`,
    );
    const model = await loadTemplate(join(project, 'template.yaml'), { stateDir: join(project, '.lambda-lab') });
    assert.equal(model.diagnostics.length, 1);
    assert.deepEqual(model.diagnostics[0].position, { line: 9, column: 18 });
    assert.match(model.diagnostics[0].message, /^BuildProperties\.Minifyy is not one of SAM's esbuild properties \(EntryPoints, /);
  });
});
