// An esbuild function's build inputs include the lockfile its dependencies resolve with, which in
// a workspace is often above the function's folder (one package-lock.json at the root, CodeUri a
// subfolder): saving it, as npm does (a new file renamed over the old), rebuilds the function and
// replaces its warm environments, as saving a source file does.
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalRuntime } from '../../src/runtime/localRuntime';
import type { EnvironmentInfo, StopReason } from '../../src/runtime/runtimeEvents';

const TEMPLATE = `Transform: AWS::Serverless-2016-10-31
Resources:
  PriceFunction:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs20.x
      Handler: app.handler
      CodeUri: functions/price/
    Metadata:
      BuildMethod: esbuild
      BuildProperties:
        EntryPoints: [app.ts]
`;

function save(file: string, text: string) {
  writeFileSync(`${file}.saving`, text);
  renameSync(`${file}.saving`, file);
}

describe('lockfile above the sources (integration)', function () {
  this.timeout(60_000);
  let dir: string;
  let runtime: LocalRuntime;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lambda-lab-lockfile-'));
    mkdirSync(join(dir, 'functions', 'price'), { recursive: true });
    writeFileSync(join(dir, 'template.yaml'), TEMPLATE);
    writeFileSync(join(dir, 'package-lock.json'), '{"lockfileVersion":3,"packages":{}}\n');
    writeFileSync(join(dir, 'functions', 'price', 'app.ts'), 'export const handler = async () => ({ pid: process.pid });\n');
    runtime = new LocalRuntime({ freeze: false });
    await runtime.loadTemplate(join(dir, 'template.yaml'));
  });

  afterEach(async () => {
    await runtime.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('rebuilds and replaces the warm environment when the workspace lockfile is saved', async () => {
    const first = await runtime.invoke('PriceFunction', '{}');
    assert.equal((await runtime.invoke('PriceFunction', '{}')).environmentId, first.environmentId, 'warm before the save');
    const replaced = new Promise<StopReason>((resolve) => {
      const onStopped = (env: EnvironmentInfo, reason: StopReason) => {
        if (env.id !== first.environmentId) return;
        runtime.off('environmentStopped', onStopped);
        resolve(reason);
      };
      runtime.on('environmentStopped', onStopped);
    });
    save(join(dir, 'package-lock.json'), '{"lockfileVersion":3,"packages":{"node_modules/left-pad":{"version":"1.3.0"}}}\n');
    assert.equal(await replaced, 'code-changed');
    const after = await runtime.invoke('PriceFunction', '{}');
    assert.notEqual(after.environmentId, first.environmentId);
    assert.equal(after.cold, true);
  });
});
