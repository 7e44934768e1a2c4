// What one registered external extension adds to a warm invoke: the same trivial Node handler
// with and without a layer holding a minimal extension (registered for INVOKE, asking for the
// next event at once). Samples alternate in blocks between the two, so a burst of load on the
// shared machine slows both; the quoted figure is the difference of the medians. Beside it,
// the CPU Lambda Lab's own process spends per invoke, which load on the machine hardly moves.
//   npm run build && node --import tsx test/bench/extensionsBench.ts
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { LocalRuntime } from '../../src/runtime/localRuntime';
import { DeploymentStore } from '../../src/runtime/versions/deploymentStore';
import { failedRow, formatTable, latencyRow, median, sample, withinDeadline, type BenchRow, runsAlone } from './benchTable';

const RUNS = { warmup: 200, blocks: 8, perBlock: 250 };
const LOOP_CAP_MS = 40_000;
const DEADLINE_MS = 90_000;

const TEMPLATE = `Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: nodejs20.x
    CodeUri: src/
    Handler: app.handler
    MemorySize: 128
Resources:
  ExtLayer:
    Type: AWS::Serverless::LayerVersion
    Properties:
      LayerName: bench-extension
      ContentUri: layer/
  Plain:
    Type: AWS::Serverless::Function
  WithExtension:
    Type: AWS::Serverless::Function
    Properties:
      Layers: [!Ref ExtLayer]
`;

/** The least an extension does: register for INVOKE, then ask for the next event as soon as one comes. */
const EXTENSION = `#!/usr/bin/env node
const http = require('node:http');
const [host, port] = process.env.AWS_LAMBDA_RUNTIME_API.split(':');
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
function call(method, path, headers, body, done) {
  const req = http.request({ host, port, method, path: '/2020-01-01/extension' + path, headers, agent }, (res) => {
    res.resume();
    res.on('end', () => done(res));
  });
  req.end(body);
}
call('POST', '/register', { 'Lambda-Extension-Name': 'bench-ext' }, '{"events":["INVOKE"]}', (res) => {
  const id = res.headers['lambda-extension-identifier'];
  const next = () => call('GET', '/event/next', { 'Lambda-Extension-Identifier': id }, undefined, next);
  next();
});
`;

function writeProject(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lambda-lab-ext-bench-'));
  mkdirSync(path.join(dir, 'src'));
  mkdirSync(path.join(dir, 'layer/extensions'), { recursive: true });
  writeFileSync(path.join(dir, 'template.yaml'), TEMPLATE);
  writeFileSync(path.join(dir, 'src/app.js'), 'exports.handler = async () => ({ ok: true });\n');
  const ext = path.join(dir, 'layer/extensions/bench-ext');
  writeFileSync(ext, EXTENSION);
  chmodSync(ext, 0o755);
  return dir;
}

async function measure(): Promise<BenchRow[]> {
  const dir = writeProject();
  // Frozen environments would add SIGSTOP/SIGCONT to both lanes alike; off, as in the runtime bench's warm rows.
  const runtime = new LocalRuntime({ freeze: false });
  const deployment = new DeploymentStore(runtime, { stateDir: path.join(dir, '.lambda-lab') });
  try {
    await deployment.attach();
    await runtime.loadTemplate(path.join(dir, 'template.yaml'));
    await deployment.settled();
    const lanes = { Plain: [] as number[], WithExtension: [] as number[] };
    const cpu = { Plain: { micros: 0, count: 0 }, WithExtension: { micros: 0, count: 0 } };
    const invoke = (name: string) => runtime.invoke(name, '{}');
    for (const name of Object.keys(lanes)) await sample(RUNS.warmup, () => invoke(name), Infinity);
    const stopAt = performance.now() + LOOP_CAP_MS;
    for (let b = 0; b < RUNS.blocks && performance.now() < stopAt; b++) {
      for (const [name, samples] of Object.entries(lanes)) {
        const before = process.cpuUsage();
        const block = await sample(RUNS.perBlock, () => invoke(name), stopAt);
        const used = process.cpuUsage(before);
        cpu[name as keyof typeof cpu].micros += used.user + used.system;
        cpu[name as keyof typeof cpu].count += block.length;
        samples.push(...block);
      }
    }
    const added = median(lanes.WithExtension) - median(lanes.Plain);
    const cpuMs = (lane: keyof typeof cpu) => cpu[lane].micros / 1000 / cpu[lane].count;
    return [
      latencyRow('warm invoke, no extension (floor)', lanes.Plain),
      latencyRow('warm invoke, 1 external extension', lanes.WithExtension, { floor: median(lanes.Plain) }),
      { name: 'added per warm invoke by 1 extension', median: added, unit: 'ms', goal: '≤ 0.2', note: 'difference of the medians' },
      {
        name: 'our CPU per warm invoke, 1 extension',
        median: cpuMs('WithExtension'),
        unit: 'ms',
        floor: cpuMs('Plain'),
        note: 'Lambda Lab process only (user + system), mean; floor: without the extension',
      },
    ];
  } finally {
    deployment.detach();
    await runtime.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runExtensionsBench(): Promise<BenchRow[]> {
  try {
    return await withinDeadline(measure(), DEADLINE_MS);
  } catch (error) {
    return [failedRow('added per warm invoke by 1 extension', 'ms', error, { goal: '≤ 0.2' })];
  }
}

if (runsAlone(__filename)) {
  runExtensionsBench().then(
    (rows) => {
      console.log(formatTable(rows));
      process.exit(0);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
