// Pre-started Python processes: a cold start takes an interpreter started ahead, and the
// function still sees exactly what a freshly spawned one sees (variables, folder, sys.path,
// imported modules, open descriptors, interpreter flags and encodings), nothing of the
// function that took the previous one, and its init phase reported (INIT_START, Init Duration).
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalRuntime } from '../../src/runtime/localRuntime';
import type { InvokeResult } from '../../src/runtime/runtimeEvents';
import { PYTHON, requirePython } from './pythonHarness';

const TEMPLATE = `Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.12
    Handler: app.handler
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

// What a handler can observe of its process. \`left_behind\` stays in the process's modules for
// the second function to find if it got the same process.
const HANDLER = `import os, sys, time, locale
import helper
previous = sys.modules.get("left_behind")
sys.modules["left_behind"] = helper
started = time.monotonic()

def fds():
    out = []
    for fd in sorted(os.listdir("/proc/self/fd"), key=int):
        try:
            out.append(fd + ":" + os.readlink("/proc/self/fd/" + fd).split(":[")[0])
        except OSError:
            out.append(fd)
    return out

def handler(event, context):
    with open("/proc/self/stat") as f:
        ticks = int(f.read().rsplit(")", 1)[1].split()[19])
    with open("/proc/uptime") as f:
        uptime = float(f.read().split()[0])
    return {
        "env": dict(os.environ),
        "cwd": os.getcwd(),
        "path": sys.path,
        "modules": sorted(m for m in sys.modules if m != "left_behind"),
        "left_behind": previous is not None and previous.NAME,
        "helper": helper.NAME,
        "fds": fds(),
        "argv": sys.argv,
        "flags": repr(sys.flags),
        "encodings": [sys.getfilesystemencoding(), sys.stdout.encoding, locale.getpreferredencoding(False)],
        "tz": time.tzname,
        "ageMs": (uptime - ticks / os.sysconf("SC_CLK_TCK")) * 1000,
        "pid": os.getpid(),
    }
`;

interface Seen {
  env: Record<string, string>;
  cwd: string;
  path: string[];
  modules: string[];
  left_behind: string | false;
  helper: string;
  fds: string[];
  argv: string[];
  flags: string;
  encodings: string[];
  tz: string[];
  ageMs: number;
  pid: number;
}

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

describe('pre-started Python environments (integration)', function () {
  this.timeout(120_000);
  let dir: string;

  before(function () {
    requirePython(this);
    dir = mkdtempSync(join(tmpdir(), 'lambda-lab-pyprestart-'));
    writeFileSync(join(dir, 'template.yaml'), TEMPLATE);
    for (const name of ['first', 'second']) {
      mkdirSync(join(dir, name));
      writeFileSync(join(dir, name, 'app.py'), HANDLER);
      writeFileSync(join(dir, name, 'helper.py'), `NAME = '${name}'\n`);
    }
  });
  after(() => dir && rmSync(dir, { recursive: true, force: true }));

  async function coldInvoke(runtime: LocalRuntime, fn: string): Promise<{ seen: Seen; result: InvokeResult; wallMs: number }> {
    await runtime.stopEnvironments();
    const t0 = performance.now();
    const result = await runtime.invoke(fn, '{}');
    const wallMs = performance.now() - t0;
    assert.equal(result.functionError, undefined, result.payload.toString());
    return { seen: JSON.parse(result.payload.toString()) as Seen, result, wallMs };
  }

  it('gives each function a clean interpreter started ahead, seeing what a spawned one sees', async () => {
    const options = { watchCode: false, pythonBinaries: { 'python3.12': PYTHON } };
    const spawned = new LocalRuntime({ ...options, prestart: false, stateDir: join(dir, '.spawned') });
    const prestarted = new LocalRuntime({ ...options, stateDir: join(dir, '.prestarted') });
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
        assert.ok(seen.ageMs > wallMs + 100, `${fn} ran in a process started during its invoke (age ${seen.ageMs} ms)`);
        assert.ok(result.cold);
        assert.ok(result.initDurationMs !== undefined && result.initDurationMs >= 0);

        const ref = reference[fn];
        const volatile = new Set(['AWS_LAMBDA_LOG_STREAM_NAME', 'AWS_LAMBDA_RUNTIME_API', '_X_AMZN_TRACE_ID']);
        const comparable = (env: Record<string, string>) =>
          Object.entries(env).filter(([k]) => !volatile.has(k) && !k.startsWith('LAMBDA_LAB_SANDBOX'));
        assert.deepEqual(comparable(seen.env).sort(), comparable(ref.env).sort());
        assert.equal(seen.env[fn === 'first' ? 'ONLY_SECOND' : 'ONLY_FIRST'], undefined);
        assert.equal(seen.cwd, ref.cwd);
        assert.deepEqual(seen.path, ref.path, 'sys.path differs from a spawned process');
        assert.deepEqual(seen.modules, ref.modules, 'imported modules differ from a spawned process');
        assert.equal(seen.left_behind, false, 'the previous function left a module behind');
        assert.equal(seen.helper, fn);
        assert.deepEqual(seen.fds, ref.fds, 'open descriptors differ from a spawned process');
        assert.deepEqual(seen.argv, ref.argv);
        assert.equal(seen.flags, ref.flags);
        assert.deepEqual(seen.encodings, ref.encodings);
        assert.deepEqual(seen.tz, ref.tz);
      }
      assert.ok(logLines.filter((l) => l.startsWith('INIT_START')).length >= 3, 'INIT_START not reported for each cold start');
    } finally {
      await spawned.dispose();
      await prestarted.dispose();
    }
  });
});
