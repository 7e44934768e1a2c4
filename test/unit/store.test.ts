// The version store's building blocks: deterministic deployment packages (CodeSha256),
// atomic writes, and versions/aliases persisted and validated as Lambda does.
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FunctionConfig } from '../../src/runtime/functionConfig';
import { LambdaServiceError } from '../../src/runtime/errors/serviceErrors';
import { LayerMaterializerService } from '../../src/runtime/layers/layerMaterializer';
import { LayerStore } from '../../src/runtime/layers/layerStore';
import { extractZip } from '../../src/runtime/store/zipExtract';
import { parseFunctionName } from '../../src/runtime/store/arns';
import { writeJsonAtomic } from '../../src/runtime/store/atomicFile';
import { packageFolder } from '../../src/runtime/store/codePackage';
import { processStartTime, selfIdentity } from '../../src/runtime/store/processIdentity';
import { sweepStaleTemps } from '../../src/runtime/store/staleTemps';
import { StateLocks } from '../../src/runtime/store/stateLock';
import { VersionStore } from '../../src/runtime/versions/versionStore';

describe('version store (unit)', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'lambda-lab-store-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  function codeFolder(): string {
    const dir = join(root, 'code');
    mkdirSync(join(dir, 'lib'), { recursive: true });
    writeFileSync(join(dir, 'app.js'), 'exports.handler = async () => 1;\n');
    writeFileSync(join(dir, 'lib', 'util.js'), 'module.exports = 2;\n');
    return dir;
  }

  it('packages a folder deterministically: same content, same CodeSha256, whatever the mtimes', async () => {
    const dir = codeFolder();
    const first = await packageFolder(dir);
    utimesSync(join(dir, 'app.js'), new Date(2001, 1, 1), new Date(2001, 1, 1));
    const touched = await packageFolder(dir);
    assert.equal(touched.codeSha256, first.codeSha256);
    assert.ok(touched.zip.equals(first.zip));
    chmodSync(join(dir, 'app.js'), 0o755);
    assert.notEqual((await packageFolder(dir)).codeSha256, first.codeSha256, 'the mode is part of the package');
    writeFileSync(join(dir, 'lib', 'util.js'), 'module.exports = 3;\n');
    assert.notEqual((await packageFolder(dir)).codeSha256, first.codeSha256);
    // The package is a real zip holding exactly the folder.
    await extractZip(first.zip, join(root, 'out'), 'package');
    assert.deepEqual(readdirSync(join(root, 'out')).sort(), ['app.js', 'lib']);
    assert.equal(readFileSync(join(root, 'out', 'lib', 'util.js'), 'utf8'), 'module.exports = 2;\n');
  });

  it('writes JSON atomically, leaving no temporary file behind', async () => {
    const file = join(root, 'state', 'fn.json');
    await Promise.all(Array.from({ length: 20 }, (_, i) => writeJsonAtomic(file, { i })));
    assert.equal(typeof JSON.parse(readFileSync(file, 'utf8')).i, 'number');
    assert.deepEqual(readdirSync(join(root, 'state')), ['fn.json']);
  });

  it('parses every FunctionName form the API accepts', () => {
    assert.deepEqual(parseFunctionName('echo'), { name: 'echo' });
    assert.deepEqual(parseFunctionName('echo:live'), { name: 'echo', qualifier: 'live' });
    assert.deepEqual(parseFunctionName('123456789012:function:echo'), { name: 'echo', qualifier: undefined });
    assert.deepEqual(parseFunctionName('arn:aws:lambda:us-east-1:123456789012:function:echo:7'), { name: 'echo', qualifier: '7' });
  });

  function storeFor(stateDir: string): VersionStore {
    const ctx = { region: 'us-east-1', accountId: '123456789012' };
    const layers = new LayerMaterializerService(new LayerStore(stateDir, ctx), stateDir);
    return new VersionStore(stateDir, ctx, layers);
  }

  function fnConfig(codeDir: string): FunctionConfig {
    return {
      logicalId: 'Fn',
      functionName: 'fn',
      runtime: 'nodejs20.x',
      handler: 'app.handler',
      codeDir,
      memorySize: 128,
      timeout: 3,
      environment: {},
      architectures: ['x86_64'],
      loggingConfig: { logFormat: 'Text', logGroup: '/aws/lambda/fn' },
      ephemeralStorage: 512,
      layers: [],
      templatePath: join(root, 'template.yaml'),
      position: { line: 1, column: 1 },
    };
  }

  it('snapshots published code, persists versions and aliases, and validates alias routing', async () => {
    const stateDir = join(root, '.lambda-lab');
    const fn = fnConfig(codeFolder());
    const store = storeFor(stateDir);
    const v1 = await store.publish(fn, { description: 'one' });
    assert.equal(v1.version, '1');
    assert.equal(v1.codeSha256, (await packageFolder(fn.codeDir)).codeSha256);
    assert.notEqual(v1.config.codeDir, fn.codeDir);
    writeFileSync(join(fn.codeDir, 'app.js'), 'exports.handler = async () => "changed";\n');
    assert.equal(readFileSync(join(v1.config.codeDir, 'app.js'), 'utf8'), 'exports.handler = async () => 1;\n');
    const v2 = await store.publish({ ...fn, environment: { A: '1' } });
    assert.equal(v2.version, '2');

    const expectError = async (work: Promise<unknown>, type: string) => {
      await assert.rejects(work, (err: Error) => err instanceof LambdaServiceError && err.type === type);
    };
    await expectError(store.createAlias(fn, 'live', { functionVersion: '9' }), 'ResourceNotFoundException');
    await expectError(store.createAlias(fn, '123', { functionVersion: '1' }), 'InvalidParameterValueException');
    await expectError(
      store.createAlias(fn, 'live', { functionVersion: '1', routingConfig: { AdditionalVersionWeights: { '2': 1.5 } } }),
      'InvalidParameterValueException',
    );
    await expectError(
      store.createAlias(fn, 'live', { functionVersion: '1', routingConfig: { AdditionalVersionWeights: { '1': 0.5 } } }),
      'InvalidParameterValueException',
    );
    await store.createAlias(fn, 'live', { functionVersion: '1', routingConfig: { AdditionalVersionWeights: { '2': 1 } } });
    await expectError(store.createAlias(fn, 'live', { functionVersion: '1' }), 'ResourceConflictException');
    // Weight 1 sends everything to the additional version.
    assert.equal((await store.resolve(fn, 'live')).version, '2');
    await expectError(store.resolve(fn, 'missing'), 'ResourceNotFoundException');

    const reopened = storeFor(stateDir);
    assert.deepEqual(
      (await reopened.versions(fn)).map((v) => [v.version, v.description]),
      [
        ['1', 'one'],
        ['2', ''],
      ],
    );
    assert.equal((await reopened.alias(fn, 'live')).functionVersion, '1');
    assert.equal((await reopened.resolve(fn, '1')).config.codeDir, v1.config.codeDir);
  });
});

describe('state locks and stale temps (unit, real processes)', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lambda-lab-locks-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** The pid-starttime of a process that has exited. */
  function deadIdentity(): string {
    const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    return `${child.stdout.toString()}-${processStartTime(process.pid) ?? 0}`;
  }

  it('serialises read-modify-write of one file across processes: two processes × 40 increments = 80', async () => {
    const counter = join(dir, 'counter.txt');
    writeFileSync(counter, '0');
    const script = join(dir, 'increment.ts');
    writeFileSync(
      script,
      `import { readFile, writeFile } from 'node:fs/promises';
import { StateLocks } from ${JSON.stringify(join(__dirname, '..', '..', 'src', 'runtime', 'store', 'stateLock.ts'))};
const locks = new StateLocks(${JSON.stringify(join(dir, 'locks'))});
(async () => {
  for (let i = 0; i < 40; i++) {
    await locks.run('counter', async () => {
      const n = Number(await readFile(${JSON.stringify(counter)}, 'utf8'));
      await new Promise((ok) => setImmediate(ok));
      await writeFile(${JSON.stringify(counter)}, String(n + 1));
    });
  }
})();
`,
    );
    const runOne = () =>
      new Promise<number | null>((ok) => spawn(process.execPath, ['--import', 'tsx', script], { stdio: 'inherit' }).once('exit', ok));
    assert.deepEqual(await Promise.all([runOne(), runOne()]), [0, 0]);
    assert.equal(readFileSync(counter, 'utf8'), '80');
    assert.deepEqual(readdirSync(join(dir, 'locks')), [], 'locks released, no temps left');
  });

  it('takes over a lock whose owner died, and one whose pid now belongs to another process', async () => {
    const locks = new StateLocks(join(dir, 'locks'));
    mkdirSync(join(dir, 'locks'));
    writeFileSync(join(dir, 'locks', 'a.lock'), `${deadIdentity()} x\n`);
    assert.equal(await locks.run('a', async () => 'ran'), 'ran');
    if (process.platform === 'linux') {
      // Our own pid with another start time: the pid was reused, the owner is gone.
      writeFileSync(join(dir, 'locks', 'b.lock'), `${process.pid}-1 x\n`);
      assert.equal(await locks.run('b', async () => 'ran'), 'ran');
    }
    assert.deepEqual(readdirSync(join(dir, 'locks')), []);
  });

  it('waits for a live owner and then names it', async () => {
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      mkdirSync(join(dir, 'locks'));
      writeFileSync(join(dir, 'locks', 'c.lock'), `${holder.pid}-${processStartTime(holder.pid!) ?? 0} x\n`);
      const locks = new StateLocks(join(dir, 'locks'), 300);
      await assert.rejects(
        locks.run('c', async () => 'ran'),
        new RegExp(`held by process ${holder.pid}`),
      );
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('sweeps temps of dead processes only', async () => {
    const dead = join(dir, `x.json.${deadIdentity()}.0badf00d.tmp`);
    const live = join(dir, `y.json.${selfIdentity()}.0badf00d.tmp`);
    mkdirSync(dead);
    writeFileSync(join(dead, 'big.bin'), 'x');
    writeFileSync(live, '{}');
    assert.equal(await sweepStaleTemps([dir]), 1);
    assert.deepEqual(readdirSync(dir), [`y.json.${selfIdentity()}.0badf00d.tmp`]);
  });
});
