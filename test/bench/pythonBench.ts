// Python functions against their floors: a cold invoke beside `python3` starting, importing the
// same handler and calling it; a warm invoke beside one keep-alive HTTP round trip to another
// process (the runtime bench's 1-hop floor). Samples alternate with their floor's, so a burst of load on the shared machine slows
// both. The interpreter is Debian's /usr/bin/python3 (LAMBDA_LAB_TEST_PYTHON overrides it).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { LocalRuntime } from '../../src/runtime/localRuntime';
import { DebugHarness, ensureAdapterBuilt } from '../debug/debugHarness';
import { debugpyMissing, PY_HANDLER_LINE, PY_INIT_LINE, pythonProjectWithVenv } from '../debug/pythonProject';
import { failedRow, latencyRow, median, sample, withinDeadline, type BenchRow } from './benchTable';

const PYTHON = process.env.LAMBDA_LAB_TEST_PYTHON ?? '/usr/bin/python3';
const FUNCTION = 'TrivialPython';
const RUNS = { cold: 15, warmup: 200, blocks: 6, perBlock: 400, debugCold: 5, debugWarm: 20 };
const LOOP_CAP_MS = 30_000;
const DEADLINE_MS = 45_000;

const HANDLER = 'def handler(event, context):\n    return {"ok": True}\n';
const TEMPLATE = `Transform: AWS::Serverless-2016-10-31
Resources:
  ${FUNCTION}:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: trivial/
      Handler: app.handler
      Runtime: python3.12
      MemorySize: 128
`;

/** The floor's script: start, import the handler, decode the event, call, encode the answer. */
const IMPORT_AND_CALL = `import sys, json
sys.path.insert(0, sys.argv[1])
import app
sys.stdout.write(json.dumps(app.handler(json.loads("{}"), None)))`;

/**
 * The warm floor, as the runtime bench defines it: one keep-alive HTTP round trip from this
 * process to a node http server in another process. A warm invoke is at least that: our
 * Runtime API server answering the handler process's poll, and its answer coming back.
 */
const ONE_HOP_SERVER = `process.stdin.on('end', () => process.exit(0)).resume();
const s = require('http').createServer((q, r) => { q.resume(); q.on('end', () => r.end('{"ok":true}')); });
s.keepAliveTimeout = 60000;
s.listen(0, '127.0.0.1', () => process.stdout.write(s.address().port + '\\n'));`;

const progress = (what: string) => process.stderr.write(`  measuring ${what}…\n`);

/** What the handler process gets, minus what only our runtime sets: the floor runs in the same environment. */
function lambdaLikeEnv(codeDir: string): NodeJS.ProcessEnv {
  return {
    PATH: `${path.dirname(PYTHON)}:/usr/local/bin:/usr/bin:/bin`,
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    LAMBDA_TASK_ROOT: codeDir,
    AWS_REGION: 'us-east-1',
  };
}

function runPython(args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`python exited ${code}: ${err}`))));
  });
}

async function oneHop(cwd: string): Promise<{ call: () => Promise<void>; close: () => Promise<void> }> {
  // stdin closing ends it: it cannot outlive the bench.
  const child: ChildProcess = spawn(process.execPath, ['-e', ONE_HOP_SERVER], { cwd, stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.stdout!.once('data', (d: Buffer) => resolve(Number(String(d).trim())));
  });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const call = () =>
    new Promise<void>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/', agent }, (res) => {
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end('{}');
    });
  const close = async () => {
    agent.destroy();
    child.kill('SIGKILL');
  };
  return { call, close };
}

export async function runPythonBench(): Promise<BenchRow[]> {
  if (!existsSync(PYTHON)) return [failedRow('Python cold invoke', 'ms', new Error(`${PYTHON} not found`))];
  const dir = await mkdtemp(path.join(os.tmpdir(), 'lambda-lab-pybench-'));
  const codeDir = path.join(dir, 'trivial');
  await mkdir(codeDir);
  await writeFile(path.join(codeDir, 'app.py'), HANDLER);
  await writeFile(path.join(dir, 'template.yaml'), TEMPLATE);
  const runtime = new LocalRuntime({ stateDir: path.join(dir, '.lambda-lab'), watchCode: false, pythonBinaries: { 'python3.12': PYTHON } });
  const env = lambdaLikeEnv(codeDir);
  const rows: BenchRow[] = [];
  const invoke = async () => {
    const r = await runtime.invoke(FUNCTION, '{}');
    if (r.functionError || r.payload.toString() !== '{"ok": true}') throw new Error(`answered ${r.payload}`);
    return r;
  };
  try {
    await runtime.loadTemplate(path.join(dir, 'template.yaml'));
    await invoke(); // writes __pycache__ for the runtime and the floor alike

    progress('python3 start+import+call and Python cold invokes (interleaved)');
    const floor: number[] = [];
    const cold: number[] = [];
    let failure: unknown;
    const stopAt = performance.now() + LOOP_CAP_MS;
    while (floor.length < RUNS.cold && performance.now() < stopAt) {
      floor.push(...(await sample(1, () => runPython(['-c', IMPORT_AND_CALL, codeDir], env, codeDir), stopAt)));
      if (failure !== undefined) continue;
      try {
        await withinDeadline(
          (async () => {
            await runtime.stopEnvironments(FUNCTION);
            const t0 = performance.now();
            if (!(await invoke()).cold) throw new Error('invoke after stopEnvironments was not cold');
            cold.push(performance.now() - t0);
          })(),
          DEADLINE_MS,
        );
      } catch (error) {
        failure = error;
      }
    }
    rows.push(latencyRow('floor: python3 start+import handler+call', floor));
    const coldGoal = { floor: median(floor), goal: '≤ 1.3× floor' };
    rows.push(
      failure !== undefined
        ? failedRow('Python cold invoke (spawn → response)', 'ms', failure, coldGoal)
        : latencyRow('Python cold invoke (spawn → response)', cold, coldGoal),
    );

    progress('1-hop floor to a Python process and Python warm invokes (interleaved)');
    const hop = await oneHop(codeDir);
    const hopSamples: number[] = [];
    const warm: number[] = [];
    let warmFailure: unknown;
    try {
      const warmStop = performance.now() + LOOP_CAP_MS;
      await sample(RUNS.warmup, hop.call, warmStop);
      await sample(RUNS.warmup, invoke, warmStop);
      for (let b = 0; b < RUNS.blocks && performance.now() < warmStop; b++) {
        hopSamples.push(...(await withinDeadline(sample(RUNS.perBlock, hop.call, warmStop), DEADLINE_MS)));
        if (warmFailure !== undefined) continue;
        try {
          warm.push(...(await withinDeadline(sample(RUNS.perBlock, invoke, warmStop), DEADLINE_MS)));
        } catch (error) {
          warmFailure = error;
        }
      }
    } finally {
      await hop.close();
    }
    rows.push(latencyRow('floor: 1-hop HTTP keep-alive RTT', hopSamples));
    const warmGoal = { floor: median(hopSamples), goal: '≤ 1.5× floor' };
    rows.push(
      warmFailure !== undefined
        ? failedRow('Python warm invoke, sequential', 'ms', warmFailure, warmGoal)
        : latencyRow('Python warm invoke, sequential', warm, warmGoal),
    );
  } catch (error) {
    rows.push(failedRow('Python invokes', 'ms', error));
  } finally {
    await runtime.dispose();
    await rm(dir, { recursive: true, force: true });
  }
  rows.push(...(await debugRows()));
  return rows;
}

/** F5 → stopped at a module-level breakpoint (fresh adapter, cold start), and warm invoke → stopped in the handler. */
async function debugRows(): Promise<BenchRow[]> {
  const coldName = 'F5 → stopped at a Python init breakpoint';
  const warmName = 'warm invoke → stopped in a Python handler';
  const missing = debugpyMissing();
  if (missing) return [failedRow(coldName, 'ms', new Error(missing)), failedRow(warmName, 'ms', new Error(missing))];
  ensureAdapterBuilt();
  progress('Python debugging: launch → init breakpoint, warm invoke → handler breakpoint');
  const dir = pythonProjectWithVenv();
  const app = path.join(dir, 'src', 'app.py');
  const template = path.join(dir, 'template.yaml');
  const rows: BenchRow[] = [];
  try {
    const cold: number[] = [];
    for (let i = 0; i < RUNS.debugCold; i++) {
      const h = await DebugHarness.start();
      try {
        await h.dc.initializeRequest({ adapterID: 'lambda-lab', pathFormat: 'path', linesStartAt1: true, columnsStartAt1: true });
        await h.dc.setBreakpointsRequest({ source: { path: app }, breakpoints: [{ line: PY_INIT_LINE }] });
        await h.dc.configurationDoneRequest();
        const t0 = performance.now();
        await h.dc.launchRequest({ function: 'Hello', template, cwd: dir } as DebugProtocol.LaunchRequestArguments);
        await h.stopped();
        cold.push(performance.now() - t0);
      } finally {
        await h.stop();
      }
    }
    rows.push(latencyRow(coldName, cold, { goal: '≤ 1000', note: 'includes python3 start and importing debugpy' }));
  } catch (error) {
    rows.push(failedRow(coldName, 'ms', error, { goal: '≤ 1000' }));
  }
  try {
    const h = await DebugHarness.start();
    const warm: number[] = [];
    try {
      await h.configure('launch', { function: 'Hello', template, cwd: dir, invocations: 0 }, { [app]: [PY_HANDLER_LINE] });
      for (let i = 0; i < RUNS.debugWarm + 1; i++) {
        const t0 = performance.now();
        const invoked = h.invoke({ name: `run ${i}` });
        const stop = await h.stopped();
        if (i > 0) warm.push(performance.now() - t0);
        await h.dc.continueRequest({ threadId: stop.body.threadId! });
        await invoked;
      }
    } finally {
      await h.stop();
    }
    rows.push(latencyRow(warmName, warm, { goal: '≤ 50' }));
  } catch (error) {
    rows.push(failedRow(warmName, 'ms', error, { goal: '≤ 50' }));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return rows;
}
