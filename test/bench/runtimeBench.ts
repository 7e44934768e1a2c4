// The local invocation runtime against its floors (issue 2, Benchmark): what a bare Node
// start, a spawn+require+invoke of the same handler and a loopback HTTP round trip cost on
// this machine, next to what LocalRuntime's cold, warm and concurrent invokes cost.
// The machine is shared, so each figure is sampled in blocks alternating with its floor's:
// a burst of load slows both, and the ratio stays meaningful.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { LambdaServiceError } from '../../src/runtime/errors/serviceErrors';
import { LocalRuntime } from '../../src/runtime/localRuntime';
import type { RuntimeOptions } from '../../src/runtime/runtimeOptions';
import { errorLine, failedRow, latencyRow, median, perSecond, sample as sampleRuns, withinDeadline, type BenchRow } from './benchTable';

const FUNCTION = 'TrivialFunction';
const CALLERS = 8;

// Sample counts. Loops are also bounded in time, so a slow machine still finishes in minutes.
const RUNS = {
  /** Cold invokes, each beside one `node -e 0` per environment and one spawn+require+invoke+exit. */
  cold: 15,
  /** Warm-path lanes: warm-up calls, then `blocks` alternating blocks of `perBlock` calls each. */
  warmup: 200,
  blocks: 6,
  perBlock: 500,
  perCaller: 1000,
  /** The concurrent figure and its floor alternate this many times. */
  concurrentRounds: 4,
};
/** Time budget for one sampling loop (all blocks of all lanes, or one caller's loop). */
const LOOP_CAP_MS = 30_000;
/** A block or phase still running after this failed (an invoke never answered), so the bench always ends. */
const DEADLINE_MS = 45_000;

/** What is being measured now, on stderr (the table goes to stdout). */
const progress = (what: string) => process.stderr.write(`  measuring ${what}…\n`);

// One handler for every measurement. `probe` returns what the runtime gave the process, so
// the floors can be measured with exactly the same environment and Node flags.
const HANDLER_SOURCE = `exports.handler = async (event) =>
  event && event.probe ? { env: process.env, execArgv: process.execArgv } : { ok: true };
`;

const TEMPLATE = `AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  ${FUNCTION}:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: trivial/
      Handler: index.handler
      Runtime: nodejs20.x
      MemorySize: 128
      Timeout: 3
`;

interface HandlerProcessShape {
  env: NodeJS.ProcessEnv;
  execArgv: string[];
  /** Set when the runtime could not be probed and a Lambda-like environment was assumed. */
  assumed?: string;
}

interface Fixture {
  dir: string;
  templatePath: string;
  codeDir: string;
}

export async function writeFixture(): Promise<Fixture> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'lambda-lab-bench-'));
  const codeDir = path.join(dir, 'trivial');
  await mkdir(codeDir);
  await writeFile(path.join(codeDir, 'index.js'), HANDLER_SOURCE);
  const templatePath = path.join(dir, 'template.yaml');
  await writeFile(templatePath, TEMPLATE);
  return { dir, templatePath, codeDir };
}

/** Runs `fn` up to `count` times within this bench's time cap. */
const sample = (count: number, fn: () => Promise<unknown>, stopAt = performance.now() + LOOP_CAP_MS) => sampleRuns(count, fn, stopAt);

/** One thing measured on the warm path: a call to repeat, and how to clean up after it. */
interface Lane {
  name: string;
  call: () => Promise<unknown>;
  close?: () => Promise<void>;
  samples: number[];
  /** Why the lane stopped early. */
  failure?: unknown;
}

/**
 * Warms every lane up, then samples them in alternating blocks. A lane whose block fails or
 * hangs is dropped (its failure kept); the others go on.
 */
async function interleave(lanes: Lane[]): Promise<void> {
  const stopAt = performance.now() + LOOP_CAP_MS;
  const run = async (lane: Lane, count: number, keep: boolean) => {
    if (lane.failure !== undefined) return;
    try {
      const samples = await withinDeadline(sample(count, lane.call, stopAt), DEADLINE_MS);
      if (keep) lane.samples.push(...samples);
    } catch (error) {
      lane.failure = error;
    }
  };
  for (const lane of lanes) await run(lane, RUNS.warmup, false);
  for (let b = 0; b < RUNS.blocks && performance.now() < stopAt; b++) {
    for (const lane of lanes) await run(lane, RUNS.perBlock, true);
  }
}

function laneRows(lane: Lane, latency: Partial<BenchRow>, rate?: { name: string } & Partial<BenchRow>): BenchRow[] {
  if (lane.failure !== undefined || lane.samples.length === 0) {
    return [failedRow(lane.name, 'ms', lane.failure ?? new Error('no samples'), latency)];
  }
  const rows = [latencyRow(lane.name, lane.samples, latency)];
  if (rate) rows.push({ median: perSecond(lane.samples), unit: rate.unit ?? 'inv/s', ...rate });
  return rows;
}


export async function probeHandlerProcess(runtime: LocalRuntime): Promise<HandlerProcessShape> {
  const result = await runtime.invoke(FUNCTION, JSON.stringify({ probe: true }));
  if (result.functionError) throw new Error(result.payload.toString());
  await runtime.stopEnvironments(FUNCTION);
  return JSON.parse(result.payload.toString()) as HandlerProcessShape;
}

/** Lambda's own variables, none of the host's: what the runtime is meant to give, when it cannot be asked. */
function assumedHandlerProcess(fixture: Fixture, error: unknown): HandlerProcessShape {
  return {
    env: {
      PATH: process.env.PATH,
      LANG: 'en_US.UTF-8',
      TZ: ':UTC',
      LAMBDA_TASK_ROOT: fixture.codeDir,
      _HANDLER: 'index.handler',
      AWS_LAMBDA_FUNCTION_NAME: FUNCTION,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128',
      AWS_REGION: 'us-east-1',
    },
    execArgv: [],
    assumed: `runtime probe failed (${errorLine(error)}); floors use a minimal Lambda-like environment`,
  };
}

/** Spawns node with the handler process's flags and environment; resolves with its stdout at exit. */
function runNode(shape: HandlerProcessShape, args: string[], cwd: string, env = shape.env): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...shape.execArgv, ...args], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`node ${args.join(' ')} exited ${code}: ${err}`))));
  });
}

/**
 * Starts a long-lived node child and resolves once it printed its first line. It exits when
 * its stdin closes, so it cannot outlive the bench even if a phase is abandoned.
 */
function startNode(shape: HandlerProcessShape, script: string, cwd: string): Promise<{ child: ChildProcess; line: string }> {
  const guarded = `process.stdin.on('end', () => process.exit(0)).resume();\n${script}`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...shape.execArgv, '-e', guarded], { env: shape.env, cwd, stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`helper process exited ${code} before it was ready`)));
    child.stdout!.on('data', (d: Buffer) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve({ child, line: out.slice(0, nl) });
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.removeAllListeners('exit');
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

async function rssMB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!kb) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(kb[1]) / 1024;
}

/** Keep-alive round trips to a server in another process, as a handler talks to its Runtime API. */
async function openOneHop(shape: HandlerProcessShape, cwd: string): Promise<Lane> {
  const server = `const s = require('http').createServer((q, r) => { q.resume(); q.on('end', () => r.end('{"ok":true}')); });
s.keepAliveTimeout = 60000;
s.listen(0, '127.0.0.1', () => process.stdout.write(s.address().port + '\\n'));`;
  const { child, line } = await startNode(shape, server, cwd);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const call = () =>
    new Promise<void>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: Number(line), method: 'POST', path: '/', agent }, (res) => {
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end('{}');
    });
  const close = async () => {
    agent.destroy();
    await stopChild(child);
  };
  return { name: 'floor: 1-hop HTTP keep-alive RTT', call, close, samples: [] };
}

// The smallest Runtime API client there is: next → handler → response, one keep-alive socket.
const MINIMAL_RUNTIME_CLIENT = `const http = require('http');
const handler = require('./index.js').handler;
const [host, port] = process.env.AWS_LAMBDA_RUNTIME_API.split(':');
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const call = (method, path, body) => new Promise((resolve, reject) => {
  const req = http.request({ host, port, method, path, agent }, (res) => {
    let data = '';
    res.setEncoding('utf8');
    res.on('data', (c) => (data += c));
    res.on('end', () => resolve({ headers: res.headers, data }));
  });
  req.on('error', reject);
  req.end(body);
});
(async () => {
  for (;;) {
    const next = await call('GET', '/2018-06-01/runtime/invocation/next');
    const id = next.headers['lambda-runtime-aws-request-id'];
    const result = await handler(JSON.parse(next.data), { awsRequestId: id });
    await call('POST', '/2018-06-01/runtime/invocation/' + id + '/response', JSON.stringify(result));
  }
})();`;

/**
 * Invokes over a bare-bones Runtime API (no logs, limits or events) to the client above:
 * what the protocol itself costs, between the 1-hop floor and LocalRuntime.
 */
async function openRuntimeApiLoop(shape: HandlerProcessShape, cwd: string): Promise<Lane> {
  let waitingNext: http.ServerResponse | undefined;
  let pending: { id: string; delivered: boolean; settle: (body: string) => void } | undefined;
  let counter = 0;
  const deliver = (res: http.ServerResponse) => {
    waitingNext = undefined;
    pending!.delivered = true;
    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Lambda-Runtime-Aws-Request-Id': pending!.id,
      'Lambda-Runtime-Deadline-Ms': String(Date.now() + 3000),
    });
    res.end('{}');
  };
  const server = http.createServer((req, res) => {
    const body: Buffer[] = [];
    req.on('data', (c: Buffer) => body.push(c));
    req.on('end', () => {
      if (req.url === '/2018-06-01/runtime/invocation/next') {
        if (pending && !pending.delivered) deliver(res);
        else waitingNext = res;
      } else if (pending && req.url === `/2018-06-01/runtime/invocation/${pending.id}/response`) {
        const { settle } = pending;
        pending = undefined;
        res.writeHead(202).end('{"status":"OK"}');
        settle(Buffer.concat(body).toString());
      } else {
        res.writeHead(404).end();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  const child = spawn(process.execPath, [...shape.execArgv, '-e', MINIMAL_RUNTIME_CLIENT], {
    env: { ...shape.env, AWS_LAMBDA_RUNTIME_API: `127.0.0.1:${port}` },
    cwd,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const call = () =>
    new Promise<void>((resolve, reject) => {
      pending = {
        id: `bench-${++counter}`,
        delivered: false,
        settle: (body) => (body === '{"ok":true}' ? resolve() : reject(new Error(`minimal runtime client answered ${body}`))),
      };
      if (waitingNext) deliver(waitingNext);
    });
  const close = async () => {
    await stopChild(child);
    server.closeAllConnections();
    server.close();
  };
  return { name: '  minimal Runtime API loop, warm', call, close, samples: [] };
}

/** RSS of a bare node process that loaded the handler and sits idle: the floor for an idle environment. */
async function idleHandlerRssMB(shape: HandlerProcessShape, codeDir: string): Promise<number> {
  const script = `require(${JSON.stringify(path.join(codeDir, 'index.js'))}); setInterval(() => {}, 1 << 30); process.stdout.write('ready\\n');`;
  const { child } = await startNode(shape, script, codeDir);
  try {
    await new Promise((r) => setTimeout(r, 300));
    return await rssMB(child.pid!);
  } finally {
    await stopChild(child);
  }
}

/** A phase that must not hang the bench: past its deadline (or on error) it becomes a failed row. */
async function phase(rows: BenchRow[], name: string, unit: string, extra: Partial<BenchRow>, work: () => Promise<void>): Promise<void> {
  progress(name.trim());
  try {
    await withinDeadline(work(), DEADLINE_MS);
  } catch (error) {
    rows.push(failedRow(name, unit, error, extra));
  }
}

const invokeTrivial = async (runtime: LocalRuntime) => {
  const r = await runtime.invoke(FUNCTION, '{}');
  if (r.functionError) throw new Error(`function error: ${r.payload.toString()}`);
  return r;
};

/** Cold invokes, each beside a `node -e 0` (handler env, host env) and a spawn+require+invoke+exit of the same handler. */
async function measureCold(runtime: LocalRuntime | undefined, shape: HandlerProcessShape, cwd: string, floors: BenchRow[], figures: BenchRow[]): Promise<void> {
  progress('node start, spawn+require+invoke+exit and cold invokes (interleaved)');
  const invokeScript = `require('./index.js').handler({}, {}).then((r) => process.stdout.write(JSON.stringify(r)));`;
  const spawnInvoke = async () => {
    const out = await runNode(shape, ['-e', invokeScript], cwd);
    if (out !== '{"ok":true}') throw new Error(`trivial handler answered ${out}`);
  };
  const start: number[] = [];
  const hostStart: number[] = [];
  const floor: number[] = [];
  const cold: number[] = [];
  let failure: unknown = runtime ? undefined : new Error('no runtime');
  const stopAt = performance.now() + LOOP_CAP_MS;
  while (floor.length < RUNS.cold && performance.now() < stopAt) {
    start.push(...(await sample(1, () => runNode(shape, ['-e', '0'], cwd))));
    hostStart.push(...(await sample(1, () => runNode(shape, ['-e', '0'], cwd, process.env))));
    floor.push(...(await sample(1, spawnInvoke)));
    if (failure !== undefined || !runtime) continue;
    try {
      await withinDeadline(
        (async () => {
          await runtime.stopEnvironments(FUNCTION);
          const t0 = performance.now();
          const r = await invokeTrivial(runtime);
          cold.push(performance.now() - t0);
          if (!r.cold) throw new Error('invoke after stopEnvironments was not cold');
        })(),
        DEADLINE_MS,
      );
    } catch (error) {
      failure = error;
    }
  }
  floors.push(latencyRow('floor: node -e 0 start (handler env)', start, { note: shape.assumed }));
  floors.push(latencyRow('  same, host env (for scale)', hostStart));
  floors.push(latencyRow('floor: spawn+require+invoke+exit', floor));
  const goal = { floor: median(floor), goal: '≤ 1.3× floor' };
  const name = 'cold invoke (spawn → response)';
  figures.push(failure !== undefined ? failedRow(name, 'ms', failure, goal) : latencyRow(name, cold, goal));
}

/** The 1-hop floor, the bare Runtime API loop and warm invokes (freeze on, then off), in alternating blocks. */
export async function measureWarm(runtime: LocalRuntime | undefined, fixture: Fixture, shape: HandlerProcessShape, floors: BenchRow[], figures: BenchRow[]): Promise<void> {
  progress('1-hop floor, bare Runtime API loop, warm invokes (interleaved)');
  const hop = await openOneHop(shape, fixture.codeDir);
  const loop = await openRuntimeApiLoop(shape, fixture.codeDir);
  const lanes: Lane[] = [hop, loop];
  let freezeOff: LocalRuntime | undefined;
  const warm: Lane = { name: 'warm invoke, sequential, 1 env', call: () => invokeTrivial(runtime!), samples: [] };
  const warmNoFreeze: Lane = { name: '  same, freeze off', call: () => invokeTrivial(freezeOff!), samples: [] };
  if (runtime) {
    lanes.push(warm);
    try {
      freezeOff = await createRuntime(fixture, { freeze: false, stateDir: path.join(fixture.dir, '.lambda-lab-nofreeze') });
      lanes.push(warmNoFreeze);
    } catch (error) {
      warmNoFreeze.failure = error;
    }
  } else {
    warm.failure = warmNoFreeze.failure = new Error('no runtime');
  }
  try {
    await interleave(lanes);
  } finally {
    await Promise.all([hop.close?.(), loop.close?.(), freezeOff?.dispose().catch(() => undefined)]);
  }
  const hopP50 = median(hop.samples);
  const hopRate = hop.samples.length ? perSecond(hop.samples) : undefined;
  floors.push(...laneRows(hop, {}, { name: 'floor: 1-hop HTTP sequential', unit: 'req/s' }));
  floors.push(
    ...laneRows(loop, { floor: hopP50, note: "a 20-line Runtime API client and server (next → response → 202 → next): the protocol's own cost" }, { name: '  minimal Runtime API loop', floor: hopRate }),
  );
  figures.push(...laneRows(warm, { floor: hopP50, goal: '≤ 1.5× floor' }));
  figures.push(...laneRows(warmNoFreeze, { floor: hopP50 }));
  if (warm.failure === undefined && warm.samples.length) {
    figures.push({ name: 'warm invokes/s, sequential', median: perSecond(warm.samples), unit: 'inv/s', floor: hopRate, goal: '≥ 2/3× floor' });
  }
}

/** `callers` loops of `perCaller` calls each, all at once: every latency, and the aggregate rate. */
async function concurrently(callers: Array<() => Promise<unknown>>, perCaller: number): Promise<{ latencies: number[]; perSecond: number }> {
  const t0 = performance.now();
  const perLoop = await Promise.all(callers.map((call) => sample(perCaller, call)));
  const latencies = perLoop.flat();
  return { latencies, perSecond: (latencies.length * 1000) / (performance.now() - t0) };
}

/**
 * CALLERS concurrent callers over up to CALLERS environments, in rounds alternating with as
 * many 1-hop client/server pairs at once: what this machine's cores allow in parallel.
 */
export async function measureConcurrent(runtime: LocalRuntime, shape: HandlerProcessShape, cwd: string, floors: BenchRow[], figures: BenchRow[]): Promise<void> {
  let throttled = 0;
  const tolerant = async () => {
    try {
      await invokeTrivial(runtime);
    } catch (error) {
      if (error instanceof LambdaServiceError && error.type === 'TooManyRequestsException') throttled++;
      else throw error;
    }
  };
  const invokers = Array.from({ length: CALLERS }, () => tolerant);
  const hops = await Promise.all(Array.from({ length: CALLERS }, () => openOneHop(shape, cwd)));
  const pairs = hops.map((h) => h.call);
  try {
    // Warm-up: the runtime scales out here, so the figure is warm throughput, not cold starts.
    await concurrently(invokers, RUNS.warmup / 10);
    await concurrently(pairs, RUNS.warmup / 10);
    throttled = 0;
    const floor = { latencies: [] as number[], rates: [] as number[] };
    const figure = { latencies: [] as number[], rates: [] as number[] };
    for (let round = 0; round < RUNS.concurrentRounds; round++) {
      for (const [into, callers] of [[floor, pairs], [figure, invokers]] as const) {
        const r = await concurrently(callers, RUNS.perCaller / RUNS.concurrentRounds);
        into.latencies.push(...r.latencies);
        into.rates.push(r.perSecond);
      }
    }
    const floorRate = median(floor.rates);
    floors.push(latencyRow(`floor: 1-hop RTT, ${CALLERS} pairs at once`, floor.latencies));
    floors.push({ name: `floor: 1-hop, ${CALLERS} pairs at once`, median: floorRate, unit: 'req/s' });
    const envs = runtime.environments(FUNCTION).filter((e) => e.state !== 'stopped');
    const note = `${envs.length} environment(s) used${throttled ? `, ${throttled} of ${figure.latencies.length} throttled` : ''}`;
    figures.push(latencyRow(`warm invoke, ${CALLERS} callers`, figure.latencies, { floor: median(floor.latencies), note }));
    figures.push({ name: `invokes/s, ${CALLERS} callers`, median: median(figure.rates), unit: 'inv/s', floor: floorRate, goal: '≥ 4000' });
  } finally {
    await Promise.all(hops.map((h) => h.close?.()));
  }
}

async function measureIdleRss(runtime: LocalRuntime, floor: number | undefined, figures: BenchRow[]): Promise<void> {
  await new Promise((r) => setTimeout(r, 300)); // let every environment go idle (and freeze)
  const rss: number[] = [];
  for (const env of runtime.environments(FUNCTION)) {
    if (env.pid !== undefined && env.state !== 'stopped') rss.push(await rssMB(env.pid));
  }
  if (rss.length === 0) throw new Error('no live environment to measure RSS of');
  figures.push({
    name: 'RSS per idle environment',
    median: median(rss),
    unit: 'MB',
    floor,
    note: `over ${rss.length} environment(s); floor: idle node process with the handler loaded`,
  });
}

export async function createRuntime(fixture: Fixture, extra: RuntimeOptions = {}): Promise<LocalRuntime> {
  const runtime = new LocalRuntime({
    stateDir: path.join(fixture.dir, '.lambda-lab'),
    idleTimeoutMs: 0,
    watchCode: false,
    concurrencyCap: CALLERS,
    ...extra,
  });
  await runtime.loadTemplate(fixture.templatePath);
  return runtime;
}

export async function runRuntimeBench(): Promise<BenchRow[]> {
  const fixture = await writeFixture();
  const floors: BenchRow[] = [];
  const figures: BenchRow[] = [];
  let runtime: LocalRuntime | undefined;
  try {
    let shape: HandlerProcessShape;
    try {
      runtime = await createRuntime(fixture);
      shape = await withinDeadline(probeHandlerProcess(runtime), DEADLINE_MS);
    } catch (error) {
      shape = assumedHandlerProcess(fixture, error);
    }
    await measureCold(runtime, shape, fixture.codeDir, floors, figures);
    await measureWarm(runtime, fixture, shape, floors, figures);

    let idleFloor: number | undefined;
    try {
      idleFloor = await idleHandlerRssMB(shape, fixture.codeDir);
    } catch (error) {
      floors.push(failedRow('floor: idle node with handler loaded', 'MB', error));
    }
    if (runtime) {
      const rt = runtime;
      await phase(figures, `invokes/s, ${CALLERS} callers`, 'inv/s', { goal: '≥ 4000' }, () => measureConcurrent(rt, shape, fixture.codeDir, floors, figures));
      await phase(figures, 'RSS per idle environment', 'MB', { floor: idleFloor }, () => measureIdleRss(rt, idleFloor, figures));
    }
    return [...floors, ...figures];
  } finally {
    await runtime?.dispose().catch(() => undefined);
    await rm(fixture.dir, { recursive: true, force: true });
  }
}
