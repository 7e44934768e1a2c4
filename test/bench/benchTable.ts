// Benchmark rows, the statistics they quote, and the aligned table `npm run bench` prints.
import path from 'node:path';
import { performance } from 'node:perf_hooks';

/** One measured figure. Every bench module (runtime, debug, api) returns these. */
export interface BenchRow {
  name: string;
  /** The quoted figure (median of the samples, or a rate). NaN when the measurement failed. */
  median: number;
  p99?: number;
  /** e.g. `ms`, `req/s`, `MB`. */
  unit: string;
  /** The same figure for the lower bound this one is compared with (same unit). */
  floor?: number;
  /**
   * What the issue asks for: `≤ 1.3× floor`, `≥ 0.67× floor` (relative to `floor`),
   * `≥ 4000`, `≤ 50` (absolute, in `unit`). `<=`/`>=` work too.
   */
  goal?: string;
  /** Overrides the check derived from `goal`. */
  ok?: boolean;
  /** Why a figure is missing, or what to keep in mind reading it. */
  note?: string;
}

/** Nearest-rank percentile of unsorted samples; NaN for none. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export const median = (samples: readonly number[]): number => percentile(samples, 50);
export const p99 = (samples: readonly number[]): number => percentile(samples, 99);

/** A latency row from samples in ms. */
export function latencyRow(name: string, samplesMs: readonly number[], extra: Partial<BenchRow> = {}): BenchRow {
  return { name, median: median(samplesMs), p99: p99(samplesMs), unit: 'ms', ...extra };
}

/** Runs `fn` up to `count` times (or until `stopAt`), returning each run's duration in ms. */
export async function sample(count: number, fn: () => Promise<unknown>, stopAt: number): Promise<number[]> {
  const samples: number[] = [];
  while (samples.length < count && performance.now() < stopAt) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  return samples;
}

/** Rate of a sequential sample run, from its own durations (excludes nothing but the loop). */
export const perSecond = (samplesMs: readonly number[]): number => (samplesMs.length * 1000) / samplesMs.reduce((a, b) => a + b, 0);

/** A row for a measurement that could not run, keeping its place in the table. */
export function failedRow(name: string, unit: string, error: unknown, extra: Partial<BenchRow> = {}): BenchRow {
  return { name, median: NaN, unit, ...extra, note: `failed: ${errorLine(error)}` };
}

/** `work`, or a rejection once `ms` have passed, so one hung measurement cannot hang the bench. */
export async function withinDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not finish within ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** The first line of an error's message, for a table note. */
export const errorLine = (error: unknown): string => (error instanceof Error ? error.message : String(error)).split('\n')[0];

const GOAL = /^\s*(≤|<=|<|≥|>=|>)\s*(\d+(?:[.,]\d+)?)(?:\s*\/\s*(\d+(?:\.\d+)?))?\s*(×|x)?\s*(?:of\s+)?(floor)?/i;

/** Whether the row meets its goal; undefined when there is no goal, no figure, or the goal is not in the grammar above. */
export function meetsGoal(row: BenchRow): boolean | undefined {
  if (row.ok !== undefined) return row.ok;
  if (!row.goal || !Number.isFinite(row.median)) return undefined;
  const m = GOAL.exec(row.goal);
  if (!m) return undefined;
  const [, op, num, denominator, times, floorWord] = m;
  let threshold = Number(num.replace(/,/g, ''));
  if (denominator) threshold /= Number(denominator);
  const relative = Boolean(times || floorWord);
  if (relative && !(row.floor && Number.isFinite(row.floor))) return undefined;
  const value = relative ? row.median / (row.floor as number) : row.median;
  switch (op) {
    case '≤':
    case '<=':
      return value <= threshold;
    case '<':
      return value < threshold;
    case '>':
      return value > threshold;
    default:
      return value >= threshold;
  }
}

/** Significant enough digits for a table cell: 0.084, 1.27, 43.1, 12 345. */
export function formatNumber(n: number | undefined): string {
  if (n === undefined) return '';
  if (!Number.isFinite(n)) return '—';
  const abs = Math.abs(n);
  if (abs >= 1000) return Math.round(n).toLocaleString('en-US');
  if (abs >= 100) return n.toFixed(0);
  if (abs >= 10) return n.toFixed(1);
  if (abs >= 1) return n.toFixed(2);
  return n.toFixed(3);
}

const HEADERS = ['name', 'median', 'p99', 'unit', 'floor', 'ratio', 'goal', 'ok?'] as const;
const RIGHT_ALIGNED = new Set<string>(['median', 'p99', 'floor', 'ratio']);

export function formatTable(rows: readonly BenchRow[]): string {
  const cells = rows.map((r) => {
    const ratio = r.floor && Number.isFinite(r.median) ? `${(r.median / r.floor).toFixed(2)}×` : '';
    const ok = meetsGoal(r);
    return [
      r.name,
      formatNumber(r.median),
      formatNumber(r.p99),
      r.unit,
      formatNumber(r.floor),
      ratio,
      r.goal ?? '',
      ok === undefined ? '' : ok ? 'yes' : 'NO',
    ];
  });
  const widths = HEADERS.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: readonly string[]) =>
    c
      .map((v, i) => (RIGHT_ALIGNED.has(HEADERS[i]) ? v.padStart(widths[i]) : v.padEnd(widths[i])))
      .join(' | ')
      .trimEnd();
  const out = [line(HEADERS), widths.map((w) => '-'.repeat(w)).join('-|-')];
  for (const c of cells) out.push(line(c));
  const notes = rows.filter((r) => r.note).map((r) => `  ${r.name.trim()}: ${r.note}`);
  if (notes.length) out.push('', 'notes:', ...notes);
  return out.join('\n');
}

/** One thing measured on the warm path: a call to repeat, and how to clean up after it. */
export interface Lane {
  name: string;
  call: () => Promise<unknown>;
  close?: () => Promise<void>;
  samples: number[];
  /** Why the lane stopped early. */
  failure?: unknown;
}

/** A row from a lane's samples, or its failure. */
export function laneRow(lane: Lane, extra: Partial<BenchRow> = {}): BenchRow {
  if (lane.failure !== undefined || lane.samples.length === 0)
    return failedRow(lane.name, 'ms', lane.failure ?? new Error('no samples'), extra);
  return latencyRow(lane.name, lane.samples, extra);
}

/** How interleave() samples: warm-up calls per lane, then `blocks` alternating blocks of `perBlock` calls. */
export interface InterleaveRuns {
  warmup: number;
  blocks: number;
  perBlock: number;
  /** Time budget for all blocks of all lanes. */
  capMs: number;
  /** A block still running after this failed (a call never answered), so the bench always ends. */
  deadlineMs: number;
}

/**
 * Warms every lane up, then samples them in alternating blocks, so a figure and its floor see the
 * same machine (load on a shared machine drifts within a run). A lane whose block fails or hangs
 * is dropped (its failure kept); the others go on.
 */
export async function interleave(lanes: Lane[], runs: InterleaveRuns): Promise<void> {
  const stopAt = performance.now() + runs.capMs;
  const run = async (lane: Lane, count: number, keep: boolean) => {
    if (lane.failure !== undefined) return;
    try {
      const samples = await withinDeadline(sample(count, lane.call, stopAt), runs.deadlineMs);
      if (keep) lane.samples.push(...samples);
    } catch (error) {
      lane.failure = error;
    }
  };
  for (const lane of lanes) await run(lane, runs.warmup, false);
  for (let b = 0; b < runs.blocks && performance.now() < stopAt; b++) {
    for (const lane of lanes) await run(lane, runs.perBlock, true);
  }
}

/**
 * Whether `file` (its __filename) was started itself, as in `node --import tsx test/bench/x.ts`:
 * not when index.ts imports it, nor in the bench bundle, where every module shares one `module`.
 */
export const runsAlone = (file: string): boolean => path.resolve(process.argv[1] ?? '') === file;
