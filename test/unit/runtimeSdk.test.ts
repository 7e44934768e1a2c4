// Which SDK packages a function needs from the runtime: those its own files import and that
// neither its node_modules nor its layers provide. Offline, a needed one is reported, once.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RuntimeSdk } from '../../src/runtime/families/node/runtimeSdk';

describe('runtime SDK: what a function needs', () => {
  let dir: string;
  const warnings: string[] = [];
  const sdk = () => new RuntimeSdk({ progress: () => {}, warning: (m) => warnings.push(m) }, join(dir, 'cache'));
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lambda-lab-sdk-unit-'));
    mkdirSync(join(dir, 'code', 'lib'), { recursive: true });
    warnings.length = 0;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('counts require, import(), from and bare import forms; not package names inside a bundle', async () => {
    writeFileSync(join(dir, 'code', 'a.js'), `const s3 = require("@aws-sdk/client-s3");\nconst x = __require('@smithy/util-utf8');`);
    writeFileSync(
      join(dir, 'code', 'lib', 'b.mjs'),
      `import { X } from '@aws-sdk/client-sqs';\nimport '@aws-sdk/polyfill';\nawait import("@aws-sdk/lib-dynamodb/dist");`,
    );
    writeFileSync(
      join(dir, 'code', 'bundle.js'),
      `var package_default = { name: "@aws-sdk/client-bundled", dependencies: { "@smithy/core": "^3" } };`,
    );
    mkdirSync(join(dir, 'code', 'node_modules', '@aws-sdk', 'client-mine'), { recursive: true });
    writeFileSync(join(dir, 'code', 'node_modules', 'x.js'), `require("@aws-sdk/client-inside-node-modules")`);
    await sdk().prepare(join(dir, 'code'), []);
    assert.equal(warnings.length, 1, warnings.join('\n'));
    const named = /^cannot install (.*) from the npm registry/.exec(warnings[0])![1].split(', ').sort();
    assert.deepEqual(named, [
      '@aws-sdk/client-s3',
      '@aws-sdk/client-sqs',
      '@aws-sdk/lib-dynamodb',
      '@aws-sdk/polyfill',
      '@smithy/util-utf8',
    ]);
  });

  it("needs nothing the function's node_modules or a layer provides, and reports a failed install once", async () => {
    writeFileSync(
      join(dir, 'code', 'a.js'),
      `require("@aws-sdk/client-own"); require("@aws-sdk/client-layered"); require("@aws-sdk/client-missing");`,
    );
    mkdirSync(join(dir, 'code', 'node_modules', '@aws-sdk', 'client-own'), { recursive: true });
    writeFileSync(join(dir, 'code', 'node_modules', '@aws-sdk', 'client-own', 'package.json'), '{}');
    const layer = join(dir, 'opt', 'nodejs', 'node_modules');
    mkdirSync(join(layer, '@aws-sdk', 'client-layered'), { recursive: true });
    writeFileSync(join(layer, '@aws-sdk', 'client-layered', 'package.json'), '{}');
    const runtimeSdk = sdk();
    await runtimeSdk.prepare(join(dir, 'code'), [layer]);
    await runtimeSdk.prepare(join(dir, 'code'), [layer]);
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.match(warnings[0], /^cannot install @aws-sdk\/client-missing from the npm registry \(LAMBDA_LAB_OFFLINE=1/);
  });
});
