// Hot reload under a burst of saves, for a JavaScript handler and an esbuild TypeScript one:
// while saves land and invocations keep coming, no invocation is answered by code older than
// the last save that had finished building (been taken in) when it was sent, and none is lost;
// the replacement environment starts as soon as the build is done, before any request.
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { watchCode } from '../../src/runtime/codeWatcher';
import { LocalRuntime } from '../../src/runtime/localRuntime';

const TEMPLATE = `Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: nodejs20.x
    Handler: app.handler
    Timeout: 10
Resources:
  JsFunction:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: js
      CodeUri: js/
  TsFunction:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: ts
      CodeUri: ts/
    Metadata:
      BuildMethod: esbuild
      BuildProperties:
        EntryPoints: [app.ts]
`;

const jsCode = (n: number) => `const GENERATION = ${n};\nexports.handler = async () => ({ generation: GENERATION, pid: process.pid });\n`;
const tsCode = (n: number) =>
  `const GENERATION: number = ${n};\nexport const handler = async (): Promise<{ generation: number }> => ({ generation: GENERATION });\n`;
const generationIn = (file: string) => Number(/GENERATION(?::\s*number)? = (\d+)/.exec(readFileSync(file, 'utf8'))?.[1] ?? -1);

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

/**
 * Saves as an editor's safe write does (temp file renamed over the old one). A plain rewrite
 * truncates first, and an environment starting in that instant (a client scaling out) would
 * load an empty file: a race of the save itself, not of the reload this test is about.
 */
function save(file: string, text: string) {
  writeFileSync(`${file}.saving`, text);
  renameSync(`${file}.saving`, file);
}

describe('hot reload (integration)', function () {
  this.timeout(120_000);
  let dir: string;
  let runtime: LocalRuntime;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lambda-lab-hot-'));
    mkdirSync(join(dir, 'js'));
    mkdirSync(join(dir, 'ts'));
    writeFileSync(join(dir, 'template.yaml'), TEMPLATE);
    writeFileSync(join(dir, 'js', 'app.js'), jsCode(0));
    writeFileSync(join(dir, 'ts', 'app.ts'), tsCode(0));
    runtime = new LocalRuntime({ freeze: false });
    await runtime.loadTemplate(join(dir, 'template.yaml'));
  });

  afterEach(async () => {
    await runtime.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const kind of ['js', 'ts'] as const) {
    it(`never answers with code older than the last built save, and loses nothing (${kind})`, async () => {
      const fn = runtime.getFunction(kind)!;
      const source = join(dir, kind, kind === 'js' ? 'app.js' : 'app.ts');
      const built = join(fn.codeDir, 'app.js');
      const code = kind === 'js' ? jsCode : tsCode;
      assert.equal(json((await runtime.invoke(kind, '{}')).payload).generation, 0);

      // The generation the runtime had taken in when it replaced the environments: what the
      // built output held at that moment. Invocations sent after it must run at least that.
      let takenIn = 0;
      runtime.on('diagnostic', (d) => {
        if (d.message.startsWith(`${fn.logicalId}: code changed`)) takenIn = Math.max(takenIn, generationIn(built));
      });

      const SAVES = 12;
      let saving = true;
      const answers: Array<{ floor: number; generation: number }> = [];
      let sent = 0;
      const client = async () => {
        while (saving) {
          const floor = takenIn;
          sent++;
          const result = await runtime.invoke(kind, '{}');
          assert.equal(result.functionError, undefined, result.payload.toString());
          answers.push({ floor, generation: json(result.payload).generation as number });
        }
      };
      const clients = [client(), client()];
      for (let n = 1; n <= SAVES; n++) {
        save(source, code(n));
        // Bursts: some saves land together, others far enough apart to be taken in one by one.
        await sleep(n % 3 === 0 ? 150 : n % 3 === 1 ? 2 : 25);
      }
      // Wait (bounded) until the last save is taken in and answered.
      for (let i = 0; i < 200 && takenIn < SAVES; i++) await sleep(25);
      saving = false;
      await Promise.all(clients);
      assert.equal(takenIn, SAVES, 'the last save was never taken in');

      assert.equal(answers.length, sent, 'an invocation was lost');
      assert.ok(answers.length > SAVES, `too few invocations ran during the saves (${answers.length})`);
      const stale = answers.filter((a) => a.generation < a.floor);
      assert.deepEqual(stale, [], 'invocations answered by code older than the last save taken in');
      assert.equal(json((await runtime.invoke(kind, '{}')).payload).generation, SAVES);
    });
  }

  it('starts the replacement environment as soon as the code is taken in, before any request', async () => {
    const first = await runtime.invoke('js', '{}');
    const replaced = new Promise<void>((ok) => runtime.on('diagnostic', (d) => d.message.startsWith('JsFunction: code changed') && ok()));
    save(join(dir, 'js', 'app.js'), jsCode(1));
    await replaced;
    // Bounded wait for the replacement to come up, without invoking anything.
    let fresh = runtime.environments('js').filter((e) => e.id !== first.environmentId);
    for (let i = 0; i < 200 && !fresh.some((e) => e.state === 'ready'); i++) {
      await sleep(25);
      fresh = runtime.environments('js').filter((e) => e.id !== first.environmentId);
    }
    assert.equal(fresh.length, 1);
    assert.equal(fresh[0].state, 'ready');
    assert.equal(fresh[0].invocations, 0);
    const next = await runtime.invoke('js', '{}');
    assert.equal(next.environmentId, fresh[0].id, 'the next invocation took the replacement rather than starting another');
    assert.equal(json(next.payload).generation, 1);
  });
});

function json(payload: Buffer): Record<string, unknown> {
  return JSON.parse(payload.toString('utf8')) as Record<string, unknown>;
}

describe('code watcher', () => {
  it('sees every rename-over save, and saves in a folder created after it started', async () => {
    const root = mkdtempSync(join(tmpdir(), 'lambda-lab-watch-'));
    writeFileSync(join(root, 'app.js'), '0');
    const seen: number[] = [];
    let count = 0;
    const watcher = watchCode(
      root,
      (f) => f.startsWith('ignored'),
      () => count++,
    );
    const settled = async () => {
      await sleep(50);
      seen.push(count);
    };
    try {
      for (let n = 1; n <= 3; n++) {
        save(join(root, 'app.js'), String(n));
        await settled();
      }
      mkdirSync(join(root, 'lib'));
      await settled();
      writeFileSync(join(root, 'lib', 'util.js'), 'x');
      await settled();
      mkdirSync(join(root, 'ignored'));
      await settled();
      writeFileSync(join(root, 'ignored', 'x.js'), 'x');
      await settled();
      // Each step but the ignored folder's file was seen (counts only grow, by at least one per step).
      for (let i = 1; i < 5; i++) assert.ok(seen[i] > seen[i - 1], `step ${i + 1} went unseen: ${seen.join(', ')}`);
      assert.ok(seen[0] > 0);
      assert.equal(seen[6], seen[5], 'a change in an ignored folder was reported');
    } finally {
      watcher.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
