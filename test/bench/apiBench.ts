// The Lambda API server's benchmark: a warm invoke through `serve` over raw HTTP
// and through @aws-sdk/client-lambda, next to a 2-hop loopback floor measured in the same run
// (client → server → server in another process, keep-alive, as an invoke goes client → API
// server → handler process), and how soon `lambda-lab serve` answers after it is started.
// Alone: `node --import tsx test/bench/apiBench.ts`.
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { startLambdaApiServer } from '../../src/runtime/lambdaApi/lambdaApiServer';
import { LocalRuntime } from '../../src/runtime/localRuntime';
import {
  interleave,
  laneRow,
  latencyRow,
  median,
  perSecond,
  runsAlone,
  sample as sampleRuns,
  type BenchRow,
  type Lane,
} from './benchTable';

const RUNS = { warmup: 300, sdkSamples: 1500, serveStarts: 7 };
/** The warm lanes (floor, serve, in process): alternating blocks, as the runtime bench samples its warm path. */
export const WARM_LANES = { warmup: 300, blocks: 6, perBlock: 500, capMs: 30_000, deadlineMs: 45_000 };
const LOOP_CAP_MS = 15_000;
const ROOT = path.resolve(__dirname, '../..');
const FIXTURE = path.join(ROOT, 'test/fixtures/api/bench');

/** Runs `once` up to `count` times within this bench's time cap. */
const sample = (count: number, once: () => Promise<void>) => sampleRuns(count, once, performance.now() + LOOP_CAP_MS);

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
/** serve wants a SigV4 Authorization header, as the SDKs send it; its content is not checked. */
const SIGNED = 'AWS4-HMAC-SHA256 Credential=AKIDLOCAL/20260101/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=00';

function post(url: string, body: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), Authorization: SIGNED },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          res.statusCode === 200 ? resolve(Buffer.concat(chunks)) : reject(new Error(`HTTP ${res.statusCode}: ${Buffer.concat(chunks)}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Server B in its own process: answers each POST with a small JSON body, like a handler's response. */
const ECHO_SERVER = `
const http = require('node:http');
const s = http.createServer({ keepAlive: true }, (req, res) => {
  req.resume();
  req.on('end', () => { const b = '{"ok":true,"n":1}'; res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': b.length }); res.end(b); });
});
s.keepAliveTimeout = 60000;
s.listen(0, '127.0.0.1', () => console.log(s.address().port));
process.stdin.on('end', () => process.exit(0)).resume(); // its parent gone, however it went`;

/** client → server A (this process) → server B (another process) → back: the 2-hop floor, as a lane to sample beside the figures. */
export async function openTwoHop(): Promise<Lane> {
  const child = spawn(process.execPath, ['-e', ECHO_SERVER], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise<number>((ok, fail) => {
    child.on('error', fail);
    child.stdout!.once('data', (d: Buffer) => ok(Number(String(d).trim())));
  });
  const hopAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const a = http.createServer({ keepAlive: true }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const out = http.request(
        { host: '127.0.0.1', port, method: 'POST', agent: hopAgent, headers: { 'Content-Length': body.length } },
        (bres) => {
          const back: Buffer[] = [];
          bres.on('data', (c: Buffer) => back.push(c));
          bres.on('end', () => {
            const payload = Buffer.concat(back);
            res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': payload.length });
            res.end(payload);
          });
        },
      );
      out.end(body);
    });
  });
  await new Promise<void>((ok) => a.listen(0, '127.0.0.1', ok));
  const url = `http://127.0.0.1:${(a.address() as { port: number }).port}/`;
  return {
    name: 'floor: 2-hop loopback (client → server → server)',
    call: () => post(url, '{"n":1}'),
    close: async () => {
      a.closeAllConnections();
      a.close();
      hopAgent.destroy();
      child.kill('SIGKILL');
    },
    samples: [],
  };
}

/** The command that runs `lambda-lab serve`: the built CLI once it has the command, else a bundle of serveCommand. */
async function serveCommandLine(): Promise<{ args: string[]; note?: string }> {
  const cli = path.join(ROOT, 'out/cli.js');
  if (existsSync(cli) && spawnSync(process.execPath, [cli, 'serve', '--help']).status === 0) return { args: [cli, 'serve'] };
  const { build } = await import('esbuild');
  const dir = path.join(ROOT, 'out/bench');
  mkdirSync(dir, { recursive: true });
  const entry = path.join(dir, 'serveEntry.ts');
  writeFileSync(
    entry,
    `import { serveCommand } from ${JSON.stringify(path.join(ROOT, 'src/cli/serveCommand'))};\n` +
      `serveCommand.run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, cwd: process.cwd() }).then((c) => process.exit(c));\n`,
  );
  const outfile = path.join(dir, 'serve.js');
  await build({ entryPoints: [entry], outfile, bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'error' });
  return { args: [outfile], note: 'out/cli.js has no serve command yet: a bundle of serveCommand was timed' };
}

/** Spawn → "listening on URL" printed → first Invoke answered; then SIGTERM. */
async function measureServeStart(dir: string): Promise<{ ready: number[]; firstInvoke: number[]; note?: string }> {
  const { args, note } = await serveCommandLine();
  const ready: number[] = [];
  const firstInvoke: number[] = [];
  for (let i = 0; i < RUNS.serveStarts; i++) {
    const t0 = performance.now();
    const child: ChildProcess = spawn(
      process.execPath,
      [...args, '--template', path.join(dir, 'template.yaml'), '--port', '0', '--quiet'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let errText = '';
    child.stderr!.on('data', (d: Buffer) => (errText += d));
    const url = await new Promise<string>((ok, fail) => {
      let out = '';
      child.on('exit', (code) => fail(new Error(`serve exited ${code}: ${errText.trim()}`)));
      child.stdout!.on('data', (d: Buffer) => {
        out += d;
        const m = /(http:\/\/[^\s)]+)/.exec(out);
        if (m) ok(m[1]);
      });
    });
    ready.push(performance.now() - t0);
    await post(`${url}/2015-03-31/functions/trivial/invocations`, '{"n":1}');
    firstInvoke.push(performance.now() - t0);
    child.removeAllListeners('exit');
    await new Promise<void>((ok) => {
      child.once('exit', () => ok());
      child.kill('SIGTERM');
    });
  }
  agent.destroy();
  return { ready, firstInvoke, note };
}

/** Warm invokes through `serve` over raw HTTP (and, with `sdk`, through the SDK), sampled in blocks alternating with the 2-hop floor's. */
export async function measureServeWarm(dir: string, rows: BenchRow[], opts: { sdk: boolean }): Promise<void> {
  const runtime = new LocalRuntime({ stateDir: path.join(dir, '.lambda-lab') });
  await runtime.loadTemplate(path.join(dir, 'template.yaml'));
  const server = await startLambdaApiServer(runtime, { port: 0 });
  const hop = await openTwoHop();
  try {
    const url = `${server.url}/2015-03-31/functions/trivial/invocations`;
    const raw: Lane = { name: 'warm invoke via serve, raw HTTP', call: () => post(url, '{"n":1}'), samples: [] };
    // Attribution: the same warm invoke without the API server in front.
    const direct: Lane = {
      name: '  same, runtime.invoke() in process (no API server)',
      call: () => runtime.invoke('trivial', '{"n":1}'),
      samples: [],
    };
    await interleave([hop, raw, direct], WARM_LANES);
    const floor = median(hop.samples);
    rows.push(laneRow(hop), { name: 'floor: 2-hop sequential', median: perSecond(hop.samples), unit: 'req/s' });
    rows.push(
      laneRow(raw, { floor, goal: '≤ 1.3× floor', note: 'freeze on (serve default); sampled in blocks alternating with the floor' }),
    );
    rows.push({
      name: 'warm invokes/s via serve, raw HTTP, sequential',
      median: perSecond(raw.samples),
      unit: 'inv/s',
      floor: perSecond(hop.samples),
    });
    rows.push(laneRow(direct, { floor, note: 'the runtime part of the figure above' }));
    if (!opts.sdk) return;
    const client = new LambdaClient({
      endpoint: server.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
      maxAttempts: 1,
    });
    const payload = Buffer.from('{"n":1}');
    const viaSdk = () => client.send(new InvokeCommand({ FunctionName: 'trivial', Payload: payload })).then(() => undefined);
    await sample(RUNS.warmup, viaSdk);
    const sdk = await sample(RUNS.sdkSamples, viaSdk);
    rows.push(
      latencyRow('warm invoke via serve, @aws-sdk/client-lambda', sdk, { floor, note: 'includes SigV4 signing and SDK middleware' }),
    );
    rows.push({ name: 'warm invokes/s via SDK, sequential', median: perSecond(sdk), unit: 'inv/s' });
    client.destroy();
  } finally {
    await hop.close!();
    await server.close();
    await runtime.dispose();
  }
}

/** A scratch copy of the bench fixture (its .lambda-lab state goes with it). */
export function apiFixture(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lambda-lab-apibench-'));
  cpSync(FIXTURE, dir, { recursive: true });
  return dir;
}

export async function runApiBench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const dir = apiFixture();
  try {
    await measureServeWarm(dir, rows, { sdk: true });

    const start = await measureServeStart(dir);
    rows.push(latencyRow('serve: start → listening (URL printed)', start.ready, { goal: '≤ 300', note: start.note }));
    rows.push(latencyRow('serve: start → first invoke answered (cold)', start.firstInvoke));
  } finally {
    agent.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

if (runsAlone(__filename)) {
  runApiBench().then(
    (rows) => {
      for (const r of rows) {
        const figures = `${r.median.toFixed(3)} ${r.unit}${r.p99 !== undefined ? ` (p99 ${r.p99.toFixed(3)})` : ''}`;
        const vs = r.floor ? `  ${(r.median / r.floor).toFixed(2)}× floor` : '';
        console.log(`${r.name.padEnd(52)} ${figures}${vs}${r.goal ? `  goal ${r.goal}` : ''}${r.note ? `  — ${r.note}` : ''}`);
      }
      process.exit(0);
    },
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
