// The debugger's benchmark: launch → stopped at an init breakpoint (cold start
// included), warm invoke → stopped in the handler, step → stopped; beside them the same cold
// and warm invokes without a debugger, so the debugger's own cost shows.
// Alone: `node --import tsx test/bench/debugBench.ts`.
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { LocalRuntime } from '../../src/runtime/localRuntime';
import { DebugHarness, copyFixture, ensureAdapterBuilt, removeFixture } from '../debug/debugHarness';
import { formatTable, latencyRow, median, type BenchRow, runsAlone } from './benchTable';

const RUNS = { cold: 7, warmWarmup: 3, warm: 25 };
/** Lines of test/fixtures/debug/js/src/app.js: top-level init code, first handler line. */
const INIT_LINE = 3;
const HANDLER_LINE = 7;

async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

/** Launch request → stopped at the init breakpoint, each in a fresh adapter (fresh runtime, cold start). */
async function coldLaunches(dir: string, app: string): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < RUNS.cold; i++) {
    const h = await DebugHarness.start();
    try {
      await h.dc.initializeRequest({ adapterID: 'lambda-lab', pathFormat: 'path', linesStartAt1: true, columnsStartAt1: true });
      await h.dc.setBreakpointsRequest({ source: { path: app }, breakpoints: [{ line: INIT_LINE }] });
      await h.dc.configurationDoneRequest();
      const start = performance.now();
      await h.dc.launchRequest({ function: 'Hello', template: path.join(dir, 'template.yaml') } as DebugProtocol.LaunchRequestArguments);
      await h.stopped();
      samples.push(performance.now() - start);
    } finally {
      await h.stop();
    }
  }
  return samples;
}

/** In one session: warm invoke → stopped in the handler, then next → stopped. */
async function warmAndStep(dir: string, app: string): Promise<{ warm: number[]; step: number[] }> {
  const h = await DebugHarness.start();
  const warm: number[] = [];
  const step: number[] = [];
  try {
    await h.configure(
      'launch',
      { function: 'Hello', template: path.join(dir, 'template.yaml'), invocations: 0 },
      { [app]: [HANDLER_LINE] },
    );
    for (let i = 0; i < RUNS.warmWarmup + RUNS.warm; i++) {
      const start = performance.now();
      const invoke = h.invoke({ name: `run ${i}` });
      const stop = await h.stopped();
      const stoppedAt = performance.now();
      const threadId = stop.body.threadId!;
      await h.dc.nextRequest({ threadId });
      await h.stopped((e) => e.body.reason === 'step');
      const stepped = performance.now();
      await h.dc.continueRequest({ threadId });
      await invoke;
      if (i >= RUNS.warmWarmup) {
        warm.push(stoppedAt - start);
        step.push(stepped - stoppedAt);
      }
    }
  } finally {
    await h.stop();
  }
  return { warm, step };
}

/** The same function without a debugger: cold invokes (environments stopped between) and warm ones. */
async function withoutDebugger(dir: string): Promise<{ cold: number[]; warm: number[] }> {
  const runtime = new LocalRuntime();
  const cold: number[] = [];
  const warm: number[] = [];
  try {
    await runtime.loadTemplate(path.join(dir, 'template.yaml'));
    for (let i = 0; i < RUNS.cold; i++) {
      await runtime.stopEnvironments('Hello');
      cold.push(await timed(() => runtime.invoke('Hello', '{}')));
    }
    for (let i = 0; i < RUNS.warmWarmup + RUNS.warm; i++) {
      const ms = await timed(() => runtime.invoke('Hello', '{}'));
      if (i >= RUNS.warmWarmup) warm.push(ms);
    }
  } finally {
    await runtime.dispose();
  }
  return { cold, warm };
}

export async function runDebugBench(): Promise<BenchRow[]> {
  ensureAdapterBuilt();
  const dir = copyFixture('js');
  const app = path.join(dir, 'src/app.js');
  try {
    const plain = await withoutDebugger(dir);
    const cold = await coldLaunches(dir, app);
    const { warm, step } = await warmAndStep(dir, app);
    return [
      latencyRow('launch → stopped at init breakpoint (cold start)', cold, {
        floor: median(plain.cold),
        goal: '≤ 400',
        note: 'floor: the same cold invoke without a debugger',
      }),
      latencyRow('warm invoke → stopped in handler', warm, {
        floor: median(plain.warm),
        goal: '≤ 30',
        note: 'floor: a whole warm invoke without a debugger',
      }),
      latencyRow('step (next) → stopped', step, { goal: '≤ 20' }),
    ];
  } finally {
    removeFixture(dir);
  }
}

if (runsAlone(__filename)) {
  runDebugBench().then(
    (rows) => console.log(formatTable(rows)),
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
