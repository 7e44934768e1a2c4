// Python cold starts on a pre-started interpreter (started ahead, our bootstrap imported,
// waiting for its function) beside the spawn floor: the same cold invoke with a process spawned
// for it, in the same run, on the same interpreter.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { LocalRuntime } from '../../src/runtime/localRuntime';
import { PYTHON, pythonMissing } from '../integration/pythonHarness';
import { failedRow, latencyRow, median, type BenchRow } from './benchTable';

const COLDS = 9;
/** Between cold starts, as between a developer's: time for the next process to start and wait. */
const PAUSE_MS = 400;

const TEMPLATE = `Transform: AWS::Serverless-2016-10-31
Resources:
  Py:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: py
      Runtime: python3.12
      Handler: app.handler
      CodeUri: py/
      Timeout: 10
`;

async function coldInvokes(runtime: LocalRuntime, pauseMs: number): Promise<number[]> {
  const samples: number[] = [];
  await runtime.invoke('py', '{}');
  for (let i = 0; i < COLDS; i++) {
    await runtime.stopEnvironments('py');
    await new Promise((ok) => setTimeout(ok, pauseMs));
    const t0 = performance.now();
    const r = await runtime.invoke('py', '{}');
    samples.push(performance.now() - t0);
    if (!r.cold || r.functionError) throw new Error(`not a successful cold invoke: ${r.payload.toString()}`);
  }
  return samples;
}

export async function runPythonStartupBench(): Promise<BenchRow[]> {
  const name = 'Python cold invoke on a pre-started interpreter';
  const missing = pythonMissing();
  if (missing) return [failedRow(name, 'ms', missing)];
  const dir = await mkdtemp(path.join(os.tmpdir(), 'lambda-lab-pystart-bench-'));
  await mkdir(path.join(dir, 'py'));
  await writeFile(path.join(dir, 'template.yaml'), TEMPLATE);
  await writeFile(path.join(dir, 'py', 'app.py'), 'def handler(event, context):\n    return {"ok": True}\n');
  const options = { watchCode: false, freeze: false, pythonBinaries: { 'python3.12': PYTHON } };
  const spawning = new LocalRuntime({ ...options, prestart: false, stateDir: path.join(dir, '.spawning') });
  const prestarted = new LocalRuntime({ ...options, stateDir: path.join(dir, '.prestarted') });
  try {
    await spawning.loadTemplate(path.join(dir, 'template.yaml'));
    await prestarted.loadTemplate(path.join(dir, 'template.yaml'));
    // The same pause on both sides, so neither gets a quieter machine.
    const floor = await coldInvokes(spawning, PAUSE_MS);
    const taken = await coldInvokes(prestarted, PAUSE_MS);
    return [
      latencyRow('floor: Python cold invoke, spawn+import+invoke', floor),
      latencyRow(name, taken, { floor: median(floor), goal: '≤ 0.6× floor' }),
    ];
  } catch (error) {
    return [failedRow(name, 'ms', error)];
  } finally {
    await spawning.dispose();
    await prestarted.dispose();
    await rm(dir, { recursive: true, force: true });
  }
}
