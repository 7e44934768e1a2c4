// Pre-started handler processes: a cold start takes a node process started ahead, and the
// function still sees exactly what a freshly spawned process sees (variables, folder, open
// descriptors, loaded modules, NODE_PATH), nothing of the function that took the previous
// one, and its init phase reported (INIT_START, Init Duration).
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PrestartedProcesses } from '../../src/runtime/environment/prestartedProcesses';
import { nodeFamily } from '../../src/runtime/families/node/nodeFamily';
import { LocalRuntime } from '../../src/runtime/localRuntime';
import { locateBootstrap } from '../../src/runtime/bootstrap/bootstrapLocation';
import type { InvokeResult } from '../../src/runtime/runtimeEvents';
import { cli, makeProject, waitUntil } from '../reliability/processHarness';

const TEMPLATE = `Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: nodejs20.x
    Handler: app.handler
    MemorySize: 256
    Timeout: 10
Resources:
  First:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: first
      CodeUri: first/
      Environment:
        Variables:
          ONLY_FIRST: one
  Second:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: second
      CodeUri: second/
      Environment:
        Variables:
          ONLY_SECOND: two
`;

// What a handler can observe of its process. `leak` is left behind in the process's globals
// and module cache by the first function, for the second to find if it got the same process.
const HANDLER = `const { readdirSync, readlinkSync } = require('node:fs');
const helper = require('./helper');
globalThis.leftBehind = process.env.AWS_LAMBDA_FUNCTION_NAME;
exports.handler = async () => ({
  env: process.env,
  cwd: process.cwd(),
  fds: readdirSync('/proc/self/fd').map((fd) => { try { return fd + ':' + readlinkSync('/proc/self/fd/' + fd).replace(/:\\[\\d+\\]$/, ''); } catch { return fd; } }).sort(),
  modules: Object.keys(require.cache).map((m) => m.replace(process.cwd(), '<task>')),
  helper: helper.name,
  argv: process.argv.slice(1),
  uptimeMs: process.uptime() * 1000,
  pid: process.pid,
  inspector: require('node:inspector').url() ?? null,
  sdk: (() => { try { require.resolve('@aws-sdk/client-s3'); return 'found'; } catch { return 'missing'; } })(),
});
`;

interface Seen {
  env: Record<string, string>;
  cwd: string;
  fds: string[];
  modules: string[];
  helper: string;
  argv: string[];
  uptimeMs: number;
  pid: number;
  sdk: string;
  inspector: string | null;
}

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

describe('pre-started environments (integration)', function () {
  this.timeout(120_000);
  let dir: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'lambda-lab-prestart-'));
    writeFileSync(join(dir, 'template.yaml'), TEMPLATE);
    for (const name of ['first', 'second']) {
      mkdirSync(join(dir, name));
      writeFileSync(join(dir, name, 'app.js'), HANDLER);
      writeFileSync(join(dir, name, 'helper.js'), `exports.name = '${name}';\n`);
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function coldInvoke(runtime: LocalRuntime, fn: string): Promise<{ seen: Seen; result: InvokeResult; wallMs: number }> {
    await runtime.stopEnvironments();
    const t0 = performance.now();
    const result = await runtime.invoke(fn, '{}');
    const wallMs = performance.now() - t0;
    assert.equal(result.functionError, undefined, result.payload.toString());
    return { seen: JSON.parse(result.payload.toString()) as Seen, result, wallMs };
  }

  // prestartDebugger: the editor's waiting processes, which loaded V8's debugger support while they waited.
  for (const prestartDebugger of [false, true])
    it(`gives each function a clean process started ahead, seeing what a spawned one sees${prestartDebugger ? ' (debugger warmed)' : ''}`, async () => {
      const spawned = new LocalRuntime({ prestart: false, watchCode: false, stateDir: join(dir, '.spawned') });
      const prestarted = new LocalRuntime({ watchCode: false, prestartDebugger, stateDir: join(dir, '.prestarted') });
      const logLines: string[] = [];
      prestarted.on('log', (r) => logLines.push(r.message));
      try {
        await spawned.loadTemplate(join(dir, 'template.yaml'));
        await prestarted.loadTemplate(join(dir, 'template.yaml'));
        const reference = { first: (await coldInvoke(spawned, 'first')).seen, second: (await coldInvoke(spawned, 'second')).seen };

        // The first cold start spawns (nothing waits yet) and leaves a process waiting behind it.
        await coldInvoke(prestarted, 'first');
        for (const fn of ['second', 'first'] as const) {
          await sleep(600);
          const { seen, result, wallMs } = await coldInvoke(prestarted, fn);
          assert.ok(seen.uptimeMs > wallMs + 100, `${fn} ran in a process started during its invoke (uptime ${seen.uptimeMs} ms)`);
          assert.ok(result.cold);
          assert.ok(result.initDurationMs !== undefined && result.initDurationMs >= 0);

          const ref = reference[fn];
          const volatile = new Set(['AWS_LAMBDA_LOG_STREAM_NAME', 'AWS_LAMBDA_RUNTIME_API', '_X_AMZN_TRACE_ID', 'LAMBDA_LAB_SANDBOX']);
          const comparable = (env: Record<string, string>) =>
            Object.entries(env).filter(([k]) => !volatile.has(k) && !k.startsWith('LAMBDA_LAB_SANDBOX'));
          assert.deepEqual(comparable(seen.env).sort(), comparable(ref.env).sort());
          assert.equal(seen.env[fn === 'first' ? 'ONLY_SECOND' : 'ONLY_FIRST'], undefined);
          assert.equal(seen.cwd, ref.cwd);
          // Node numbers its own descriptors in the order it opens them; what is open must be the same.
          const kinds = (fds: string[]) => fds.map((f) => f.replace(/^\d+:?/, '')).sort();
          assert.deepEqual(kinds(seen.fds), kinds(ref.fds), 'open descriptors differ from a spawned process');
          assert.deepEqual(
            seen.fds.filter((f) => /^[0-3]:/.test(f)),
            ref.fds.filter((f) => /^[0-3]:/.test(f)),
            'stdio or the log channel differ',
          );
          assert.deepEqual(seen.modules, ref.modules, 'loaded modules differ from a spawned process');
          assert.equal(seen.helper, fn);
          assert.deepEqual(seen.argv, ref.argv);
          assert.equal(seen.sdk, ref.sdk, 'NODE_PATH resolution differs');
          assert.equal(seen.inspector, null, 'the waiting process left an inspector open');
        }
        assert.ok(logLines.filter((l) => l.startsWith('INIT_START')).length >= 3, 'INIT_START not reported for each cold start');
      } finally {
        await spawned.dispose();
        await prestarted.dispose();
      }
    });
});

/** Processes started by `parent` that wait for a handover (their start environment says so). */
function waitingChildrenOf(parent: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const ppid = /^PPid:\s+(\d+)/m.exec(readFileSync(`/proc/${entry}/status`, 'utf8'))?.[1];
      if (Number(ppid) === parent && readFileSync(`/proc/${entry}/environ`, 'utf8').includes('LAMBDA_LAB_PRESTART_FD='))
        found.push(Number(entry));
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/status`, 'utf8').includes('State:\tZ');
  } catch {
    return false;
  }
};

describe('pre-started processes and their owner', function () {
  this.timeout(60_000);

  it('a waiting process dies with serve killed -9', async () => {
    const dir = makeProject();
    const owner = cli(['serve', '--template', join(dir, 'template.yaml'), '--port', '0']);
    try {
      const url = await waitUntil(
        'serve to print its URL',
        20_000,
        () => /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(owner.out())?.[1],
      );
      const client = new LambdaClient({
        endpoint: url,
        region: 'us-east-1',
        credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
        maxAttempts: 1,
      });
      await client.send(new InvokeCommand({ FunctionName: 'Hello' }));
      client.destroy();
      const waiting = await waitUntil('a process to wait for the next cold start', 20_000, () => {
        const pids = waitingChildrenOf(owner.pid!);
        return pids.length ? pids : undefined;
      });
      owner.kill('SIGKILL');
      await waitUntil('the waiting process to end with its owner', 20_000, () => waiting.every((pid) => !alive(pid)));
    } finally {
      owner.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('pre-started processes ended right after their handover', () => {
  it('report the exit, and the reset pipe is no error of the runtime', async () => {
    const prestarted = new PrestartedProcesses(nodeFamily.prestart!);
    const spec = {
      command: process.execPath,
      args: [locateBootstrap('node')],
      cwd: tmpdir(),
      // No Runtime API answers there: a process that gets this far exits by itself.
      env: { AWS_LAMBDA_RUNTIME_API: '127.0.0.1:9', LAMBDA_LAB_LOG_FD: '3', _HANDLER: 'app.handler' },
      logFd: 3,
    };
    const exited = () => {
      let done!: (description: string) => void;
      const promise = new Promise<string>((ok) => (done = ok));
      return { promise, events: { onLine: () => undefined, onExit: (d: string) => done(d) } };
    };
    try {
      // The first start spawns, and leaves a process waiting behind it.
      const first = exited();
      prestarted.take(spec, first.events).kill();
      await first.promise;
      for (let i = 0; i < 3; i++) {
        await sleep(500);
        const taken = exited();
        const proc = prestarted.take(spec, taken.events);
        // Killed with its handover most likely still unread in its pipe.
        proc.kill();
        assert.equal(await taken.promise, 'signal: killed');
      }
      // An unhandled pipe error would have failed this test as an uncaught exception by now.
      await sleep(100);
    } finally {
      prestarted.dispose();
    }
  });
});
