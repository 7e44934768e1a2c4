// Safe zip extraction for layers: zip-slip entries refused, modes and inside symlinks kept.
import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FunctionConfig, LayerConfig } from '../../src/runtime/functionConfig';
import { LayerMaterializerService } from '../../src/runtime/layers/layerMaterializer';
import { LayerStore } from '../../src/runtime/layers/layerStore';
import { UnsafeZipError, extractZip } from '../../src/runtime/store/zipExtract';
import { buildZip, type ZipEntry } from '../../src/runtime/store/codePackage';

const file = (name: string, data = 'x', mode = 0o100644): ZipEntry => ({ name, data: Buffer.from(data), mode });
const link = (name: string, target: string): ZipEntry => ({ name, data: Buffer.from(target), mode: 0o120777 });

describe('layer zip extraction (unit)', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'lambda-lab-zip-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('extracts files with their modes and symlinks that stay inside', async () => {
    const zip = buildZip([
      file('bin/tool', '#!/bin/sh\necho hi\n', 0o100755),
      file('lib/libfoo.so.1', 'elf'),
      link('lib/libfoo.so', 'libfoo.so.1'),
      file('nodejs/node_modules/m/index.js', 'module.exports = 1;'),
    ]);
    const target = join(root, 'layer');
    await extractZip(zip, target, 'layer test.zip');
    assert.equal(statSync(join(target, 'bin/tool')).mode & 0o777, 0o755);
    assert.equal(readlinkSync(join(target, 'lib/libfoo.so')), 'libfoo.so.1');
    assert.equal(readFileSync(join(target, 'lib/libfoo.so'), 'utf8'), 'elf');
    assert.equal(readFileSync(join(target, 'nodejs/node_modules/m/index.js'), 'utf8'), 'module.exports = 1;');
  });

  for (const [what, entries, named] of [
    ['a ../ entry', [file('ok.txt'), file('../evil.txt')], '../evil.txt'],
    ['a nested ../ entry', [file('nodejs/../../evil.txt')], 'nodejs/../../evil.txt'],
    ['an absolute entry', [file('/tmp/evil.txt')], '/tmp/evil.txt'],
    ['a symlink pointing outside', [link('escape', '../..')], 'escape -> ../..'],
    ['a symlink to an absolute path', [link('etc', '/etc')], 'etc -> /etc'],
    ['a file written through a symlink', [link('dir', '.'), file('dir/x.txt')], 'dir/x.txt'],
  ] as Array<[string, ZipEntry[], string]>) {
    it(`refuses ${what} (zip slip) with a clear error`, async () => {
      const target = join(root, 'layer');
      await assert.rejects(extractZip(buildZip(entries), target, 'layer Evil (evil.zip)'), (err: Error) => {
        assert.ok(err instanceof UnsafeZipError, String(err));
        assert.match(err.message, /^layer Evil \(evil\.zip\): zip entry "/);
        assert.ok(err.message.includes(named), err.message);
        assert.match(err.message, /outside the folder/);
        return true;
      });
      assert.equal(existsSync(join(root, 'evil.txt')), false);
      assert.equal(existsSync('/tmp/evil.txt') && readFileSync('/tmp/evil.txt', 'utf8') === 'x', false);
    });
  }

  it('names the zip when it is not a zip at all', async () => {
    await assert.rejects(
      extractZip(Buffer.from('not a zip'), join(root, 'layer'), 'layer Broken (broken.zip)'),
      /layer Broken \(broken\.zip\): not a readable zip file/,
    );
  });
});

describe('layer materializer (unit)', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'lambda-lab-opt-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const layerConfig = (logicalId: string, contentPath: string): LayerConfig => ({
    logicalId,
    layerName: logicalId.toLowerCase(),
    contentPath,
    compatibleRuntimes: [],
    compatibleArchitectures: [],
    templatePath: join(root, 'template.yaml'),
    position: { line: 1, column: 1 },
  });
  const fnWith = (layers: string[]) =>
    ({ logicalId: 'Fn', functionName: 'fn', templatePath: join(root, 'template.yaml'), layers }) as FunctionConfig;

  async function materializerFor(layers: LayerConfig[]) {
    const store = new LayerStore(join(root, '.lambda-lab'), { region: 'us-east-1', accountId: '123456789012' });
    store.setTemplateLayers(join(root, 'template.yaml'), layers);
    return new LayerMaterializerService(store, join(root, '.lambda-lab'));
  }

  it('merges layers into one folder, later layers overwriting earlier files', async () => {
    writeFileSync(join(root, 'one.zip'), buildZip([file('data/which.txt', 'one'), file('data/one-only.txt', '1')]));
    writeFileSync(join(root, 'two.zip'), buildZip([file('data/which.txt', 'two')]));
    const m = await materializerFor([layerConfig('One', join(root, 'one.zip')), layerConfig('Two', join(root, 'two.zip'))]);
    const opt = await m.materialize(fnWith(['One', 'Two']), '$LATEST');
    assert.ok(opt);
    assert.equal(readFileSync(join(opt, 'data/which.txt'), 'utf8'), 'two');
    assert.equal(readFileSync(join(opt, 'data/one-only.txt'), 'utf8'), '1');
    const reversed = await m.materialize(fnWith(['Two', 'One']), '$LATEST');
    assert.equal(readFileSync(join(reversed!, 'data/which.txt'), 'utf8'), 'one');
    assert.equal(await m.materialize(fnWith([]), '$LATEST'), undefined);
  });

  it('refuses a zip-slip layer, naming the layer and its template', async () => {
    writeFileSync(join(root, 'evil.zip'), buildZip([file('../../evil.txt')]));
    const m = await materializerFor([layerConfig('Evil', join(root, 'evil.zip'))]);
    await assert.rejects(m.materialize(fnWith(['Evil']), '$LATEST'), (err: Error) => {
      assert.match(err.message, /layer Evil \(.*template\.yaml\): zip entry "\.\.\/\.\.\/evil\.txt" would be written outside/);
      return true;
    });
    assert.equal(existsSync(join(root, '..', 'evil.txt')), false);
  });
});
