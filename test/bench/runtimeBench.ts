// The local invocation runtime against its floors (floors.ts): LocalRuntime's cold, warm and
// concurrent invokes beside a bare Node start, a spawn+require+invoke of the same handler and
// a loopback HTTP round trip on this machine.
// The machine is shared, so each figure is sampled in blocks alternating with its floor's:
// a burst of load slows both, and the ratio stays meaningful.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { LambdaServiceError } from '../../src/runtime/errors/serviceErrors';
import type { LocalRuntime } from '../../src/runtime/localRuntime';
import {
  failedRow,
  interleave,
  latencyRow,
  median,
  perSecond,
  sample as sampleRuns,
  withinDeadline,
  type BenchRow,
  type Lane,
} from './benchTable';
import { idleHandlerRssMB, openOneHop, openRuntimeApiLoop, rssMB, runNode } from './floors';
import {
  assumedHandlerProcess,
  CALLERS,
  createRuntime,
  FUNCTION,
  probeHandlerProcess,
  writeFixture,
  type Fixture,
  type HandlerProcessShape,
} from './runtimeFixture';

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

/** Runs `fn` up to `count` times within this bench's time cap. */
const sample = (count: number, fn: () => Promise<unknown>, stopAt = performance.now() + LOOP_CAP_MS) => sampleRuns(count, fn, stopAt);

const WARM_LANES = { ...RUNS, capMs: LOOP_CAP_MS, deadlineMs: DEADLINE_MS };

function laneRows(lane: Lane, latency: Partial<BenchRow>, rate?: { name: string } & Partial<BenchRow>): BenchRow[] {
  if (lane.failure !== undefined || lane.samples.length === 0) {
    return [failedRow(lane.name, 'ms', lane.failure ?? new Error('no samples'), latency)];
  }
  const rows = [latencyRow(lane.name, lane.samples, latency)];
  if (rate) rows.push({ median: perSecond(lane.samples), unit: rate.unit ?? 'inv/s', ...rate });
  return rows;
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
async function measureCold(
  runtime: LocalRuntime | undefined,
  shape: HandlerProcessShape,
  cwd: string,
  floors: BenchRow[],
  figures: BenchRow[],
): Promise<void> {
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
export async function measureWarm(
  runtime: LocalRuntime | undefined,
  fixture: Fixture,
  shape: HandlerProcessShape,
  floors: BenchRow[],
  figures: BenchRow[],
): Promise<void> {
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
    await interleave(lanes, WARM_LANES);
  } finally {
    await Promise.all([hop.close?.(), loop.close?.(), freezeOff?.dispose().catch(() => undefined)]);
  }
  const hopP50 = median(hop.samples);
  const hopRate = hop.samples.length ? perSecond(hop.samples) : undefined;
  floors.push(...laneRows(hop, {}, { name: 'floor: 1-hop HTTP sequential', unit: 'req/s' }));
  floors.push(
    ...laneRows(
      loop,
      { floor: hopP50, note: "a 20-line Runtime API client and server (next → response → 202 → next): the protocol's own cost" },
      { name: '  minimal Runtime API loop', floor: hopRate },
    ),
  );
  figures.push(...laneRows(warm, { floor: hopP50, goal: '≤ 1.5× floor' }));
  figures.push(...laneRows(warmNoFreeze, { floor: hopP50 }));
  if (warm.failure === undefined && warm.samples.length) {
    figures.push({
      name: 'warm invokes/s, sequential',
      median: perSecond(warm.samples),
      unit: 'inv/s',
      floor: hopRate,
      goal: '≥ 2/3× floor',
    });
  }
}

/** `callers` loops of `perCaller` calls each, all at once: every latency, and the aggregate rate. */
async function concurrently(
  callers: Array<() => Promise<unknown>>,
  perCaller: number,
): Promise<{ latencies: number[]; perSecond: number }> {
  const t0 = performance.now();
  const perLoop = await Promise.all(callers.map((call) => sample(perCaller, call)));
  const latencies = perLoop.flat();
  return { latencies, perSecond: (latencies.length * 1000) / (performance.now() - t0) };
}

/**
 * CALLERS concurrent callers over up to CALLERS environments, in rounds alternating with as
 * many 1-hop client/server pairs at once: what this machine's cores allow in parallel.
 */
export async function measureConcurrent(
  runtime: LocalRuntime,
  shape: HandlerProcessShape,
  cwd: string,
  floors: BenchRow[],
  figures: BenchRow[],
): Promise<void> {
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
      for (const [into, callers] of [
        [floor, pairs],
        [figure, invokers],
      ] as const) {
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
      await phase(figures, `invokes/s, ${CALLERS} callers`, 'inv/s', { goal: '≥ 4000' }, () =>
        measureConcurrent(rt, shape, fixture.codeDir, floors, figures),
      );
      await phase(figures, 'RSS per idle environment', 'MB', { floor: idleFloor }, () => measureIdleRss(rt, idleFloor, figures));
    }
    return [...floors, ...figures];
  } finally {
    await runtime?.dispose().catch(() => undefined);
    await rm(fixture.dir, { recursive: true, force: true });
  }
}
