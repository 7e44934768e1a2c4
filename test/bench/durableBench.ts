// Durable functions: what a checkpoint costs on top of the step it records, beside a plain warm
// invoke of the same runtime, and what replaying 100 completed steps costs an invocation.
// Alone: `node --import tsx test/bench/durableBench.ts`.
import { rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { LocalRuntime } from '../../src/runtime/localRuntime';
import { durableRuntime, hasNode22, tempState } from '../fixtures/durable/durableHarness';
import { failedRow, formatTable, latencyRow, median, type BenchRow, runsAlone } from './benchTable';

const RUNS = { warmInvokes: 300, executions: 9, steps: 200, replays: 5 };
const progress = (what: string) => process.stderr.write(`  measuring ${what}…\n`);

export async function runDurableBench(): Promise<BenchRow[]> {
  if (!hasNode22()) return [failedRow('durable checkpoint', 'ms', new Error('no Node 22 in .vscode-test/ric (run scripts/installRic.sh)'))];
  const dir = tempState();
  const runtime = await durableRuntime(dir, { durableTimeScale: 1, watchCode: false });
  try {
    return [...(await checkpointRows(runtime, dir)), await replayRow(runtime, dir)];
  } finally {
    await runtime.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Times the service's own work per checkpoint (apply, answer, save) as the SDK's calls arrive. */
function timeCheckpoints(runtime: LocalRuntime): { samples: number[]; restore(): void } {
  const durable = runtime.durable;
  const original = durable.checkpoint.bind(durable);
  const samples: number[] = [];
  durable.checkpoint = async (...args) => {
    const t0 = performance.now();
    try {
      return await original(...args);
    } finally {
      samples.push(performance.now() - t0);
    }
  };
  return { samples, restore: () => (durable.checkpoint = original) };
}

async function checkpointRows(runtime: LocalRuntime, dir: string): Promise<BenchRow[]> {
  progress('plain warm invokes');
  const warm: number[] = [];
  for (let i = 0; i < RUNS.warmInvokes; i++) {
    const t0 = performance.now();
    await runtime.invoke('Doubler', '{"n":1}');
    if (i >= 20) warm.push(performance.now() - t0);
  }
  progress(`executions of ${RUNS.steps} steps and of none`);
  const timer = timeCheckpoints(runtime);
  const perCheckpoint: number[] = [];
  try {
    const execution = async (steps: number) => {
      const before = timer.samples.length;
      const t0 = performance.now();
      const result = await runtime.invoke('ManySteps', JSON.stringify({ dir, steps }));
      if (result.functionError) throw new Error(result.payload.toString());
      return { ms: performance.now() - t0, checkpoints: timer.samples.length - before };
    };
    await execution(0);
    await execution(RUNS.steps);
    for (let i = 0; i < RUNS.executions; i++) {
      const none = await execution(0);
      const many = await execution(RUNS.steps);
      perCheckpoint.push((many.ms - none.ms) / Math.max(1, many.checkpoints - none.checkpoints));
    }
  } finally {
    timer.restore();
  }
  const warmMedian = median(warm);
  return [
    latencyRow('durable: end-to-end cost per checkpoint (step + SDK call + service)', perCheckpoint, {
      floor: warmMedian,
      note: `${RUNS.steps} steps minus none, per checkpoint call; floor: a plain warm invoke`,
    }),
    latencyRow('durable: service time per checkpoint (apply, answer, save)', timer.samples, {
      goal: '≤ 1',
      note: 'the issue’s goal: ≤ 1 ms median',
    }),
    latencyRow('plain warm invoke (same runtime)', warm),
  ];
}

/** An execution of 100 steps suspends on a wait; the invocation after it replays the 100 steps. */
async function replayRow(runtime: LocalRuntime, dir: string): Promise<BenchRow> {
  progress('replays of 100 completed steps (each after a 6 s wait)');
  const replays = await Promise.all(
    Array.from({ length: RUNS.replays }, async () => {
      let arn = '';
      const result = await runtime.invoke('ManySteps', JSON.stringify({ dir, steps: 100, thenWait: 6 }), {
        onDurableExecution: (a) => (arn = a),
      });
      if (result.functionError) throw new Error(result.payload.toString());
      const record = await runtime.durable.get(arn);
      const invocations = record.events.filter((e) => e.EventType === 'InvocationCompleted');
      if (invocations.length < 2) throw new Error(`the execution did not suspend (${invocations.length} invocation)`);
      const details = invocations.at(-1)!.InvocationCompletedDetails as { StartTimestamp: number; EndTimestamp: number };
      return details.EndTimestamp - details.StartTimestamp;
    }),
  );
  return latencyRow('durable: invocation replaying 100 completed steps', replays, {
    note: `${RUNS.replays} executions, in parallel; includes the invoke itself`,
  });
}

if (runsAlone(__filename)) {
  void runDurableBench().then((rows) => {
    console.log(formatTable(rows));
    process.exit(0);
  });
}
