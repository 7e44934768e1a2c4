// Several Lambda Lab processes over one `.lambda-lab/`: two real `serve` processes publish,
// alias, reserve concurrency and version layers at the same time, and must agree on every
// number afterwards; a process killed with SIGKILL mid-write leaves the folder consistent, and
// the next one removes its leftovers and takes over its lock.
import {
  CreateAliasCommand,
  GetFunctionConcurrencyCommand,
  InvokeCommand,
  ListAliasesCommand,
  ListLayerVersionsCommand,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  PutFunctionConcurrencyCommand,
} from '@aws-sdk/client-lambda';
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalRuntime } from '../../src/runtime/localRuntime';
import { DeploymentStore } from '../../src/runtime/versions/deploymentStore';
import { cliBuilt, makeProject, startServe, writeMarker, type ServeProcess } from './stateHelpers';

/** Every path under `root` (files and folders). */
function walk(root: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    const path = join(root, entry.name);
    out.push(path);
    if (entry.isDirectory()) out.push(...walk(path));
  }
  return out;
}

describe('state shared by several Lambda Lab processes (reliability)', function () {
  this.timeout(120_000);
  const servers: ServeProcess[] = [];
  const dirs: string[] = [];
  before(function () {
    if (!cliBuilt()) this.skip();
  });
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.stop()));
  });
  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('two serve processes publishing at once never reuse a version number and end up seeing the same state', async () => {
    const dir = makeProject();
    dirs.push(dir);
    const [a, b] = await Promise.all([startServe(dir), startServe(dir)]);
    servers.push(a, b);
    const ROUNDS = 6;
    for (let round = 1; round <= ROUNDS; round++) {
      writeMarker(dir, `round-${round}`);
      // Both publish the same new code at once: one makes the version, the other gets it back.
      const [va, vb] = await Promise.all([
        a.client.send(new PublishVersionCommand({ FunctionName: 'echo', Description: 'from a' })),
        b.client.send(new PublishVersionCommand({ FunctionName: 'echo', Description: 'from b' })),
      ]);
      assert.equal(va.Version, String(round), `round ${round}: process a got version ${va.Version}`);
      assert.equal(vb.Version, String(round), `round ${round}: process b got version ${vb.Version}`);
      assert.equal(va.CodeSha256, vb.CodeSha256);
      // Aliases and concurrency settings written by both at once are all kept.
      await Promise.all([
        a.client.send(new CreateAliasCommand({ FunctionName: 'echo', Name: `a${round}`, FunctionVersion: va.Version })),
        b.client.send(new CreateAliasCommand({ FunctionName: 'echo', Name: `b${round}`, FunctionVersion: vb.Version })),
        a.client.send(new PutFunctionConcurrencyCommand({ FunctionName: 'other', ReservedConcurrentExecutions: round })),
        b.client.send(new PutFunctionConcurrencyCommand({ FunctionName: 'sleeper', ReservedConcurrentExecutions: round + 10 })),
      ]);
    }
    for (const s of [a, b]) {
      const versions = await s.client.send(new ListVersionsByFunctionCommand({ FunctionName: 'echo' }));
      assert.deepEqual(
        versions.Versions!.map((v) => v.Version),
        ['$LATEST', ...Array.from({ length: ROUNDS }, (_, i) => String(i + 1))],
      );
      const aliases = await s.client.send(new ListAliasesCommand({ FunctionName: 'echo' }));
      assert.equal(aliases.Aliases!.length, 2 * ROUNDS, `aliases seen by ${s.url}: ${aliases.Aliases!.map((x) => x.Name)}`);
      assert.equal(
        (await s.client.send(new GetFunctionConcurrencyCommand({ FunctionName: 'other' }))).ReservedConcurrentExecutions,
        ROUNDS,
      );
      assert.equal(
        (await s.client.send(new GetFunctionConcurrencyCommand({ FunctionName: 'sleeper' }))).ReservedConcurrentExecutions,
        ROUNDS + 10,
      );
      // The same qualifier runs the same code in both processes.
      for (const version of ['1', String(ROUNDS), 'a2', 'b3']) {
        const out = await s.client.send(new InvokeCommand({ FunctionName: 'echo', Qualifier: version }));
        const body = JSON.parse(Buffer.from(out.Payload!).toString()) as { marker: string };
        const expected = version.startsWith('a') || version.startsWith('b') ? `round-${version.slice(1)}` : `round-${version}`;
        assert.equal(body.marker, expected, `${s.url} ran ${body.marker} for ${version}`);
      }
    }
  });

  it("reserved concurrency set through one serve process throttles the other's invokes", async () => {
    const dir = makeProject();
    dirs.push(dir);
    const [a, b] = await Promise.all([startServe(dir), startServe(dir)]);
    servers.push(a, b);
    await a.client.send(new PutFunctionConcurrencyCommand({ FunctionName: 'sleeper', ReservedConcurrentExecutions: 1 }));
    // b follows a's write (a file watch, or any read of the state); before it does, b must not
    // start environments for sleeper: warm ones would keep serving after the limit drops.
    let seen: number | undefined;
    for (let polls = 0; polls < 100 && seen !== 1; polls++) {
      seen = (await b.client.send(new GetFunctionConcurrencyCommand({ FunctionName: 'sleeper' }))).ReservedConcurrentExecutions;
    }
    assert.equal(seen, 1);
    const results = await Promise.allSettled(
      [0, 1].map(() => b.client.send(new InvokeCommand({ FunctionName: 'sleeper', Payload: Buffer.from('{"ms":300}') }))),
    );
    const outcomes = results.map((r) => (r.status === 'fulfilled' ? 'ran' : (r.reason as Error).name)).sort();
    assert.deepEqual(outcomes, ['TooManyRequestsException', 'ran']);
  });

  it('an extension-like process hears about a version another process published (views refresh without polling)', async () => {
    const dir = makeProject();
    dirs.push(dir);
    const runtime = new LocalRuntime({ freeze: false });
    const store = new DeploymentStore(runtime, { stateDir: join(dir, '.lambda-lab') });
    await store.attach();
    await runtime.loadTemplate(join(dir, 'template.yaml'));
    await store.settled();
    try {
      const serve = await startServe(dir);
      servers.push(serve);
      const heard = new Promise<string>((ok, fail) => {
        store.versions.once('changed', ok);
        setTimeout(() => fail(new Error('no changed event within 10 s of the other process publishing')), 10_000).unref();
      });
      writeMarker(dir, 'from-serve');
      const published = await serve.client.send(new PublishVersionCommand({ FunctionName: 'echo' }));
      assert.equal(await heard, 'echo');
      const echo = runtime.getFunction('echo')!;
      assert.deepEqual(
        (await store.versions.versions(echo)).map((v) => v.version),
        [published.Version],
      );
    } finally {
      store.detach();
      await runtime.dispose();
    }
  });

  it('two serve processes versioning a changed layer at once make one new layer version', async () => {
    const dir = makeProject();
    dirs.push(dir);
    const first = await startServe(dir);
    servers.push(first);
    await first.client.send(new ListLayerVersionsCommand({ LayerName: 'shared' }));
    await first.stop();
    servers.pop();
    writeFileSync(join(dir, 'layer', 'nodejs', 'shared.js'), 'module.exports = "layer-v2";\n');
    const [a, b] = await Promise.all([startServe(dir), startServe(dir)]);
    servers.push(a, b);
    const [la, lb] = await Promise.all([a, b].map((s) => s.client.send(new ListLayerVersionsCommand({ LayerName: 'shared' }))));
    assert.deepEqual(
      la.LayerVersions!.map((v) => v.Version),
      [2, 1],
    );
    assert.deepEqual(
      lb.LayerVersions!.map((v) => v.Version),
      [2, 1],
    );
    const file = JSON.parse(readFileSync(join(dir, '.lambda-lab', 'layers', 'shared.json'), 'utf8')) as { versions: unknown[] };
    assert.equal(file.versions.length, 2);
  });

  it('kill -9 during a publish leaves a consistent folder; the next process cleans up and takes the lock over', async () => {
    const dir = makeProject();
    dirs.push(dir);
    // 17 MB of incompressible code: packaging and extracting it takes long enough to be killed in the middle.
    writeFileSync(join(dir, 'src', 'blob.bin'), randomBytes(17 * 1024 * 1024));
    const state = join(dir, '.lambda-lab');
    // Killed while writing the snapshot (a temp folder exists), and once early, holding only the lock.
    const moments: ('writing' | 'early')[] = ['writing', 'early', 'writing', 'writing'];
    for (const [i, moment] of moments.entries()) {
      writeMarker(dir, `kill-${i}`);
      const victim = await startServe(dir);
      const publishing = victim.client.send(new PublishVersionCommand({ FunctionName: 'echo' })).catch(() => undefined);
      if (moment === 'early') await new Promise((ok) => setTimeout(ok, 20));
      else {
        for (let polls = 0; polls < 4000 && !walk(state).some((p) => p.endsWith('.tmp')); polls++) {
          await new Promise((ok) => setTimeout(ok, 5));
        }
      }
      victim.child.kill('SIGKILL');
      await publishing;
      await victim.stop();
    }
    const garbage = walk(state).filter((p) => /\.tmp$/.test(p) || p.endsWith('.lock'));
    assert.ok(garbage.length > 0, 'no kill landed in the middle of a write: nothing was tested');
    const survivor = await startServe(dir);
    servers.push(survivor);
    writeMarker(dir, 'after');
    const published = await survivor.client.send(new PublishVersionCommand({ FunctionName: 'echo' }));
    const leftovers = walk(state).filter((p) => /\.tmp$/.test(p) || p.endsWith('.lock'));
    assert.deepEqual(leftovers, [], 'temp files or locks of killed processes remain');
    const fnState = JSON.parse(readFileSync(join(state, 'versions', 'echo.json'), 'utf8')) as {
      lastVersion: number;
      versions: { version: string; codeSha256: string; config: { codeDir: string } }[];
    };
    assert.equal(fnState.versions[fnState.versions.length - 1].version, published.Version);
    assert.equal(String(fnState.lastVersion), published.Version);
    fnState.versions.forEach((v, i) => {
      assert.equal(v.version, String(i + 1), 'version numbers stay contiguous');
      assert.ok(statSync(v.config.codeDir).isDirectory(), `version ${v.version} code folder exists`);
      assert.ok(existsSync(`${v.config.codeDir}.zip`), `version ${v.version} package exists`);
      assert.equal(statSync(join(v.config.codeDir, 'blob.bin')).size, 17 * 1024 * 1024, `version ${v.version} code complete`);
    });
    const out = await survivor.client.send(new InvokeCommand({ FunctionName: 'echo', Qualifier: published.Version }));
    assert.equal((JSON.parse(Buffer.from(out.Payload!).toString()) as { marker: string }).marker, 'after');
  });
});
