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
import { LocalRuntime } from '../../src/runtime/localRuntime';
import { failedRow, latencyRow, median, sample, withinDeadline, type BenchRow } from './benchTable';

const PYTHON = process.env.LAMBDA_LAB_TEST_PYTHON ?? '/usr/bin/python3';
const FUNCTION = 'TrivialPython';
const RUNS = { cold: 15, warmup: 200, blocks: 6, perBlock: 400 };
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
  return { PATH: `${path.dirname(PYTHON)}:/usr/local/bin:/usr/bin:/bin`, LANG: 'en_US.UTF-8', TZ: ':UTC', LAMBDA_TASK_ROOT: codeDir, AWS_REGION: 'us-east-1' };
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
    rows.push(failure !== undefined ? failedRow('Python cold invoke (spawn → response)', 'ms', failure, coldGoal) : latencyRow('Python cold invoke (spawn → response)', cold, coldGoal));

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
    rows.push(warmFailure !== undefined ? failedRow('Python warm invoke, sequential', 'ms', warmFailure, warmGoal) : latencyRow('Python warm invoke, sequential', warm, warmGoal));
  } catch (error) {
    rows.push(failedRow('Python invokes', 'ms', error));
  } finally {
    await runtime.dispose();
    await rm(dir, { recursive: true, force: true });
  }
  return rows;
}
