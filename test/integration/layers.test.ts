// Layers through the runtime and the Lambda API: merged into one /opt in order (later layers
// win), Node resolving modules from them, zip layers, pinning by published versions, limits.
import {
  GetFunctionConfigurationCommand,
  GetLayerVersionCommand,
  InvokeCommand,
  ListFunctionsCommand,
  ListLayersCommand,
  ListLayerVersionsCommand,
  PublishVersionCommand,
  type LambdaServiceException,
} from '@aws-sdk/client-lambda';
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildZip } from '../../src/runtime/store/codePackage';
import { copyFixture, json, startHarness, type Harness } from '../fixtures/api/apiHarness';

const REMOTE_ARN = 'arn:aws:lambda:eu-west-1:999999999999:layer:remote-lib:3';

function layersFixture(): { dir: string; zip: Buffer } {
  const dir = copyFixture('layers');
  const zip = buildZip([
    { name: 'nodejs/node_modules/from-zip/index.js', data: Buffer.from("module.exports = 'from zip';\n"), mode: 0o100644 },
  ]);
  writeFileSync(join(dir, 'layer-c.zip'), zip);
  return { dir, zip };
}

describe('layers (integration)', function () {
  this.timeout(60_000);
  let h: Harness;
  let zip: Buffer;

  before(async () => {
    const fixture = layersFixture();
    zip = fixture.zip;
    h = await startHarness(fixture.dir);
  });
  after(() => h?.stop(true));

  it('merges layers in order, later ones winning, and Node resolves modules from them', async () => {
    const out = await h.client.send(new InvokeCommand({ FunctionName: 'layered' }));
    assert.equal(out.FunctionError, undefined, Buffer.from(out.Payload ?? []).toString());
    assert.deepEqual(json(out.Payload), {
      shared: 'B', // layer-b comes after layer-a
      onlyA: 'only in A',
      versioned: 'from nodejs/node20',
      fromZip: 'from zip',
      data: 'B',
      tool: 'tool from layer-a',
    });
    const config = await h.client.send(new GetFunctionConfigurationCommand({ FunctionName: 'layered' }));
    assert.deepEqual(
      config.Layers?.map((l) => l.Arn),
      [
        'arn:aws:lambda:us-east-1:123456789012:layer:layer-a:1',
        'arn:aws:lambda:us-east-1:123456789012:layer:layer-b:1',
        'arn:aws:lambda:us-east-1:123456789012:layer:layer-c:1',
      ],
    );
  });

  it('lists layers and describes a zip layer with the CodeSha256 of its zip', async () => {
    const list = await h.client.send(new ListLayersCommand({}));
    assert.deepEqual(
      list.Layers?.map((l) => l.LayerName),
      ['layer-a', 'layer-b', 'layer-c'],
    );
    const runtimeFiltered = await h.client.send(new ListLayersCommand({ CompatibleRuntime: 'nodejs22.x' }));
    assert.deepEqual(
      runtimeFiltered.Layers?.map((l) => l.LayerName),
      ['layer-b'],
    );
    const c = await h.client.send(new GetLayerVersionCommand({ LayerName: 'layer-c', VersionNumber: 1 }));
    assert.equal(c.Content?.CodeSha256, createHash('sha256').update(zip).digest('base64'));
    assert.equal(c.Content?.CodeSize, zip.length);
    const downloaded = Buffer.from(await (await fetch(c.Content!.Location!)).arrayBuffer());
    assert.ok(downloaded.equals(zip));
  });

  it('pins a published version to the layer versions it was published with', async () => {
    const v1 = await h.client.send(new PublishVersionCommand({ FunctionName: 'layered' }));
    writeFileSync(join(h.dir, 'layer-b/nodejs/node_modules/shared/index.js'), "module.exports = 'B2';\n");
    // Layer edits do not recycle running environments; start $LATEST afresh.
    await h.runtime.stopEnvironments('layered');
    assert.equal(json((await h.client.send(new InvokeCommand({ FunctionName: 'layered' }))).Payload).shared, 'B2');
    const versions = await h.client.send(new ListLayerVersionsCommand({ LayerName: 'layer-b' }));
    assert.deepEqual(
      versions.LayerVersions?.map((v) => v.Version),
      [2, 1],
    );
    const pinned = await h.client.send(new InvokeCommand({ FunctionName: 'layered', Qualifier: v1.Version }));
    assert.equal(json(pinned.Payload).shared, 'B');
  });

  it('refuses more than 5 layers and unmapped remote layer ARNs with clear errors', async () => {
    const tooMany = (await h.client.send(new InvokeCommand({ FunctionName: 'too-many-layers' })).catch((e) => e)) as LambdaServiceException;
    assert.equal(tooMany.name, 'ResourceConflictException');
    assert.match(tooMany.message, /6 layers; Lambda allows at most 5/);
    const remote = (await h.client.send(new InvokeCommand({ FunctionName: 'remote-layer' })).catch((e) => e)) as LambdaServiceException;
    assert.equal(remote.name, 'ResourceConflictException');
    assert.match(remote.message, /remote-lib:3 is not a layer of this template/);
    assert.match(remote.message, /layerArnMap/);
    // Listing still works, showing the unresolved layer as written.
    const list = await h.client.send(new ListFunctionsCommand({}));
    const remoteFn = list.Functions?.find((f) => f.FunctionName === 'remote-layer');
    assert.deepEqual(
      remoteFn?.Layers?.map((l) => l.Arn),
      [REMOTE_ARN],
    );
  });

  it('resolves a remote layer ARN through the layer ARN map', async () => {
    const { dir } = layersFixture();
    const mapped = await startHarness(dir, { layerArnMap: { [REMOTE_ARN]: join(dir, 'layer-a') } });
    try {
      const out = await mapped.client.send(new InvokeCommand({ FunctionName: 'remote-layer' }));
      assert.deepEqual(json(out.Payload), { shared: 'A' });
    } finally {
      await mapped.stop(true);
    }
  });
});
