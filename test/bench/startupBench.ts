// Startup paths: a cold start on a pre-started process beside one that spawns; hot reload (a
// save → the first answer running the new code) for a JavaScript handler and an esbuild
// TypeScript one, each beside a spawning cold invoke of the same function in the same run; and
// the first invocation of a provisioned environment beside an on-demand cold start.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { LocalRuntime } from '../../src/runtime/localRuntime';
import { DeploymentStore } from '../../src/runtime/versions/deploymentStore';
import { failedRow, latencyRow, type BenchRow } from './benchTable';

const SAVES = 15;
const COLDS = 6;
/** One save's wait for its new code before the sample is given up. */
const SAVE_DEADLINE_MS = 5_000;
const SECTION_BUDGET_MS = 150_000;

const TEMPLATE = `Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: nodejs20.x
    Handler: app.handler
    MemorySize: 128
    Timeout: 3
Resources:
  JsFunction:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: js
      CodeUri: js/
      AutoPublishAlias: live
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

const code = {
  js: (n: number) => `exports.handler = async () => ({ generation: ${n} });\n`,
  ts: (n: number) => `export const handler = async (): Promise<{ generation: number }> => ({ generation: ${n} });\n`,
};

const generationOf = (payload: Buffer) => (JSON.parse(payload.toString('utf8')) as { generation: number }).generation;

export async function runStartupBench(): Promise<BenchRow[]> {
  const stopAt = performance.now() + SECTION_BUDGET_MS;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'lambda-lab-startup-bench-'));
  const rows: BenchRow[] = [];
  await mkdir(path.join(dir, 'js'));
  await mkdir(path.join(dir, 'ts'));
  await writeFile(path.join(dir, 'template.yaml'), TEMPLATE);
  await writeFile(path.join(dir, 'js', 'app.js'), code.js(0));
  await writeFile(path.join(dir, 'ts', 'app.ts'), code.ts(0));
  const runtime = new LocalRuntime({ stateDir: path.join(dir, '.lambda-lab'), freeze: false });
  // The floor: today's cold start, a process spawned for it.
  const spawning = new LocalRuntime({ stateDir: path.join(dir, '.lambda-lab-spawning'), freeze: false, watchCode: false, prestart: false });
  try {
    await runtime.loadTemplate(path.join(dir, 'template.yaml'));
    await spawning.loadTemplate(path.join(dir, 'template.yaml'));
    const name = 'cold invoke on a pre-started process';
    try {
      const floor = await coldInvokes(spawning, 'js', stopAt);
      rows.push(latencyRow('floor: cold invoke, spawn+require+invoke', floor));
      // A pause between samples lets the next process start and wait, as between a developer's cold starts.
      const prestarted = await coldInvokes(runtime, 'js', stopAt, 400);
      rows.push(latencyRow(name, prestarted, { floor: medianOf(floor), goal: '≤ 0.6× floor' }));
    } catch (error) {
      rows.push(failedRow(name, 'ms', error, { goal: '≤ 0.6× floor' }));
    }
    for (const kind of ['js', 'ts'] as const) {
      const goal = kind === 'js' ? '≤ 50' : '≤ 150';
      const label = kind === 'js' ? 'JavaScript' : 'TypeScript (esbuild)';
      try {
        const floor = await coldInvokes(spawning, kind, stopAt);
        rows.push(latencyRow(`floor: cold invoke, ${label}`, floor));
        const reload = await saveToAnswer(runtime, kind, path.join(dir, kind, kind === 'js' ? 'app.js' : 'app.ts'), stopAt);
        rows.push(latencyRow(`hot reload: save → new code answered, ${label}`, reload, { goal, floor: medianOf(floor) }));
      } catch (error) {
        rows.push(failedRow(`hot reload: save → new code answered, ${label}`, 'ms', error, { goal }));
      }
    }
    rows.push(...(await provisionedRows(runtime, dir, stopAt)));
  } finally {
    await runtime.dispose();
    await spawning.dispose();
    await rm(dir, { recursive: true, force: true });
  }
  return rows;
}

async function coldInvokes(runtime: LocalRuntime, fn: string, stopAt: number, pauseMs = 0): Promise<number[]> {
  const samples: number[] = [];
  await runtime.invoke(fn, '{}');
  while (samples.length < COLDS && performance.now() < stopAt) {
    await runtime.stopEnvironments(fn);
    if (pauseMs) await new Promise((ok) => setTimeout(ok, pauseMs));
    const t0 = performance.now();
    const r = await runtime.invoke(fn, '{}');
    samples.push(performance.now() - t0);
    if (!r.cold) throw new Error('invoke after stopEnvironments was not cold');
  }
  return samples;
}

/**
 * A developer's loop: warm environment, save, then keep invoking until the answer comes from
 * the new code; time from the write to that answer. The client asks every 5 ms rather than
 * back to back: a tight loop of warm invokes would take a core from the replacement's init on
 * a 2-core machine, measuring the client rather than the reload.
 */
async function saveToAnswer(runtime: LocalRuntime, fn: 'js' | 'ts', file: string, stopAt: number): Promise<number[]> {
  const samples: number[] = [];
  let generation = 0;
  while (samples.length < SAVES && performance.now() < stopAt) {
    await runtime.invoke(fn, '{}');
    // Let the previous save's events settle, so each sample is one save.
    await new Promise((ok) => setTimeout(ok, 100));
    generation++;
    const t0 = performance.now();
    await writeFile(file, code[fn](generation));
    for (;;) {
      if (generationOf((await runtime.invoke(fn, '{}')).payload) === generation) break;
      await new Promise((ok) => setTimeout(ok, 5));
      if (performance.now() - t0 > SAVE_DEADLINE_MS) throw new Error(`save ${generation} not answered within ${SAVE_DEADLINE_MS} ms`);
    }
    samples.push(performance.now() - t0);
  }
  return samples;
}

/** First invocation served by a provisioned environment (already initialised) vs an on-demand cold start. */
async function provisionedRows(runtime: LocalRuntime, dir: string, stopAt: number): Promise<BenchRow[]> {
  const name = 'first invoke on a provisioned environment';
  const deployment = new DeploymentStore(runtime, { stateDir: path.join(dir, '.lambda-lab') });
  try {
    await deployment.attach();
    const fn = runtime.getFunction('js')!;
    const cold: number[] = [];
    const provisioned: number[] = [];
    while (provisioned.length < COLDS && performance.now() < stopAt) {
      await runtime.stopEnvironments('js');
      let t0 = performance.now();
      await runtime.invoke('js', '{}', { qualifier: 'live' });
      cold.push(performance.now() - t0);
      await runtime.stopEnvironments('js');
      const { ready } = await deployment.provisioned.put(fn, 'live', 1);
      await ready;
      t0 = performance.now();
      const r = await runtime.invoke('js', '{}', { qualifier: 'live' });
      provisioned.push(performance.now() - t0);
      if (r.initDurationMs !== undefined) throw new Error('a provisioned environment reported an Init Duration');
      await deployment.provisioned.delete(fn, 'live');
    }
    return [latencyRow('floor: on-demand cold invoke of the same version', cold), latencyRow(name, provisioned, { floor: medianOf(cold) })];
  } catch (error) {
    return [failedRow(name, 'ms', error)];
  } finally {
    deployment.detach();
  }
}

function medianOf(samples: number[]): number {
  return latencyRow('', samples).median;
}
