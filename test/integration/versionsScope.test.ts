// Two templates with their own state folders in one runtime, one DeploymentStore each, scoped to
// its template and attached without the runtime-wide hooks; a router hands each function to its
// store, as the VS Code extension does.
import * as assert from 'node:assert/strict';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalRuntime } from '../../src/runtime/localRuntime';
import { buildZip } from '../../src/runtime/store/codePackage';
import { DeploymentStore } from '../../src/runtime/versions/deploymentStore';
import { copyFixture } from '../fixtures/api/apiHarness';

describe('deployment stores scoped to their templates (integration)', function () {
  this.timeout(120_000);
  let runtime: LocalRuntime;
  let greeterDir: string;
  let layersDir: string;
  let greeterStore: DeploymentStore;
  let layersStore: DeploymentStore;

  before(async () => {
    greeterDir = copyFixture('autopublish');
    layersDir = copyFixture('layers');
    const zip = buildZip([
      { name: 'nodejs/node_modules/from-zip/index.js', data: Buffer.from("module.exports = 'from zip';\n"), mode: 0o100644 },
    ]);
    writeFileSync(join(layersDir, 'layer-c.zip'), zip);
    runtime = new LocalRuntime({ freeze: false });
    const scoped = (dir: string) =>
      new DeploymentStore(runtime, {
        stateDir: join(dir, '.lambda-lab'),
        templates: (templatePath) => runtime.stateDirFor(templatePath) === join(dir, '.lambda-lab'),
      });
    greeterStore = scoped(greeterDir);
    layersStore = scoped(layersDir);
    await greeterStore.attach({ installHooks: false });
    await layersStore.attach({ installHooks: false });
    await runtime.loadTemplate(join(greeterDir, 'template.yaml'));
    await runtime.loadTemplate(join(layersDir, 'template.yaml'));
    await Promise.all([greeterStore.settled(), layersStore.settled()]);
  });

  after(async () => {
    greeterStore?.detach();
    layersStore?.detach();
    await runtime?.dispose();
    for (const dir of [greeterDir, layersDir]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const storeOf = (templatePath: string) => [greeterStore, layersStore].find((s) => s.covers(templatePath));

  it('takes in only its own template: versions and layers stay in their own state folder', async () => {
    const greeter = runtime.getFunction('greeter')!;
    const layered = runtime.getFunction('layered')!;
    assert.equal(storeOf(greeter.templatePath), greeterStore);
    assert.equal(storeOf(layered.templatePath), layersStore);

    // AutoPublishAlias ran once, in the greeter's store only.
    assert.equal((await greeterStore.versions.alias(greeter, 'live')).functionVersion, '1');
    assert.ok(existsSync(join(greeterDir, '.lambda-lab', 'versions', 'greeter.json')));
    assert.ok(!existsSync(join(layersDir, '.lambda-lab', 'versions', 'greeter.json')));

    assert.deepEqual(await layersStore.layers.layerNames(), ['layer-a', 'layer-b', 'layer-c']);
    assert.deepEqual(await greeterStore.layers.layerNames(), []);
    assert.ok(!existsSync(join(greeterDir, '.lambda-lab', 'layers', 'content')), 'no layer snapshots in the other folder');

    await assert.rejects(greeterStore.materializeLayers(layered, '$LATEST'), /layered|LayeredFunction/);
    await assert.rejects(layersStore.resolveQualifier(greeter, 'live'), /GreeterFunction.*not one of the templates/);
  });

  it('leaves the runtime-wide hooks to a router that sends each function to its store', async () => {
    // attach({ installHooks: false }) installed nothing: aliases are unknown to the runtime yet.
    await assert.rejects(runtime.invoke('greeter', '{}', { qualifier: 'live' }), /no versions or aliases published/);

    runtime.setQualifierResolver((fn, qualifier) => storeOf(fn.templatePath)!.resolveQualifier(fn, qualifier));
    runtime.setLayerMaterializer((fn, version) => storeOf(fn.templatePath)!.materializeLayers(fn, version));
    const greeted = await runtime.invoke('greeter', '{}', { qualifier: 'live' });
    assert.equal(greeted.functionError, undefined, greeted.payload.toString());
    assert.deepEqual(JSON.parse(greeted.payload.toString()), { greeting: 'hello', version: '1' });

    const layered = await runtime.invoke('layered', '{}');
    assert.equal(layered.functionError, undefined, layered.payload.toString());
    assert.equal(JSON.parse(layered.payload.toString()).fromZip, 'from zip');
    assert.ok(existsSync(join(layersDir, '.lambda-lab', 'opt')), '/opt materialised in the layers template folder');
    assert.ok(!existsSync(join(greeterDir, '.lambda-lab', 'opt')));
  });
});
