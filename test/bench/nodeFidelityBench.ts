// Node fidelity costs: the cold start of a handler that imports the runtime's AWS SDK
// (@aws-sdk/client-dynamodb at module level) beside a floor of plain node requiring the same
// module, and the time to a first invoke when the runtime's Node major is not provisioned yet
// (installed from the npm registry into a fresh cache), beside a cold start once it is.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { LocalRuntime } from '../../src/runtime/localRuntime';
import { failedRow, latencyRow, median, type BenchRow } from './benchTable';

const COLD_SAMPLES = 9;

export async function runNodeFidelityBench(): Promise<BenchRow[]> {
  const saved = { cache: process.env.LAMBDA_LAB_CACHE_DIR, offline: process.env.LAMBDA_LAB_OFFLINE };
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lambda-lab-node-bench-'));
  const rows: BenchRow[] = [];
  try {
    // Fresh caches: the first invokes install from the npm registry, as on a new machine.
    process.env.LAMBDA_LAB_OFFLINE = '0';
    process.env.LAMBDA_LAB_CACHE_DIR = path.join(dir, 'sdk-cache');
    rows.push(...(await sdkColdStart(dir)));
    process.env.LAMBDA_LAB_CACHE_DIR = path.join(dir, 'node-cache');
    rows.push(...(await firstInvokeUnprovisioned(dir)));
  } finally {
    process.env.LAMBDA_LAB_CACHE_DIR = saved.cache;
    process.env.LAMBDA_LAB_OFFLINE = saved.offline;
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

function project(dir: string, name: string, runtime: string, code: string): string {
  const root = path.join(dir, name);
  mkdirSync(path.join(root, 'src'), { recursive: true });
  writeFileSync(path.join(root, 'src', 'index.js'), code);
  writeFileSync(
    path.join(root, 'template.yaml'),
    `Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties: { Runtime: ${runtime}, Handler: index.handler, CodeUri: src, Timeout: 30, MemorySize: 1024 }\n`,
  );
  return path.join(root, 'template.yaml');
}

async function sdkColdStart(dir: string): Promise<BenchRow[]> {
  const runtimeId = `nodejs${process.versions.node.split('.')[0]}.x`;
  const template = project(
    dir,
    'sdk',
    runtimeId,
    `
const { DynamoDBClient } = require('@aws-sdk/client-dynamodb');
const client = new DynamoDBClient({});
exports.handler = async () => typeof client.send;`,
  );
  const runtime = new LocalRuntime({ watchCode: false, freeze: false, stateDir: path.join(dir, 'sdk', '.lambda-lab') });
  try {
    await runtime.loadTemplate(template);
    const t0 = performance.now();
    const first = await runtime.invoke('Fn', '{}');
    const firstMs = performance.now() - t0;
    if (first.functionError) throw new Error(first.payload.toString());
    const cold: number[] = [];
    for (let i = 0; i < COLD_SAMPLES; i++) {
      await runtime.stopEnvironments('Fn');
      const t = performance.now();
      const r = await runtime.invoke('Fn', '{}');
      cold.push(performance.now() - t);
      if (!r.cold) throw new Error('expected a cold start');
    }
    const module = path.join(process.env.LAMBDA_LAB_CACHE_DIR!, 'aws-sdk', 'node_modules', '@aws-sdk', 'client-dynamodb');
    const floor: number[] = [];
    for (let i = 0; i < COLD_SAMPLES; i++) {
      const t = performance.now();
      const r = spawnSync(process.execPath, [
        '-e',
        `const { DynamoDBClient } = require(${JSON.stringify(module)}); new DynamoDBClient({});`,
      ]);
      floor.push(performance.now() - t);
      if (r.status !== 0) throw new Error(r.stderr.toString());
    }
    return [
      latencyRow('cold invoke, handler importing @aws-sdk/client-dynamodb (runtime SDK)', cold, {
        floor: median(floor),
        goal: '≤ 1.2× floor',
        note: 'floor: plain `node` requiring it and building a client',
      }),
      {
        name: 'first invoke, installing @aws-sdk/client-dynamodb into an empty cache (npm registry)',
        median: firstMs,
        unit: 'ms',
        floor: median(cold),
        note: 'floor: a cold invoke once installed; network-bound, once per machine and package',
      },
    ];
  } catch (error) {
    return [failedRow('cold invoke, handler importing @aws-sdk/client-dynamodb', 'ms', error)];
  } finally {
    await runtime.dispose();
  }
}

async function firstInvokeUnprovisioned(dir: string): Promise<BenchRow[]> {
  const major = process.versions.node.startsWith('24.') ? 22 : 24;
  const template = project(dir, 'node', `nodejs${major}.x`, 'exports.handler = async () => process.version;');
  const runtime = new LocalRuntime({ watchCode: false, freeze: false, stateDir: path.join(dir, 'node', '.lambda-lab') });
  try {
    await runtime.loadTemplate(template);
    const t0 = performance.now();
    const first = await runtime.invoke('Fn', '{}');
    const firstMs = performance.now() - t0;
    const version = JSON.parse(first.payload.toString()) as string;
    if (!version.startsWith(`v${major}.`)) throw new Error(`ran on ${version}, not Node ${major}`);
    const cold: number[] = [];
    for (let i = 0; i < 5; i++) {
      await runtime.stopEnvironments('Fn');
      const t = performance.now();
      await runtime.invoke('Fn', '{}');
      cold.push(performance.now() - t);
    }
    return [
      {
        name: `first invoke of nodejs${major}.x, Node ${major} not yet provisioned (npm registry)`,
        median: firstMs,
        unit: 'ms',
        floor: median(cold),
        note: 'floor: a cold invoke once provisioned; network-bound, once per machine and major',
      },
    ];
  } catch (error) {
    return [failedRow(`first invoke of nodejs${major}.x, Node ${major} not yet provisioned`, 'ms', error)];
  } finally {
    await runtime.dispose();
  }
}
