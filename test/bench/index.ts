// `npm run bench`: every benchmark in one run on this machine, printed as tables with the
// floors beside the figures. Not a test: missed goals show as `NO`, the exit code stays 0.
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { failedRow, formatTable, withinDeadline, type BenchRow } from './benchTable';
import { runRuntimeBench } from './runtimeBench';

type BenchFn = () => Promise<BenchRow[]>;

/** A section still running after this is reported as failed and the next one starts. */
const SECTION_DEADLINE_MS = 240_000;

interface Section {
  title: string;
  /** Module beside this file, loaded only if present (other rooms land theirs separately). */
  file?: string;
  exportName: string;
  run?: BenchFn;
}

const SECTIONS: Section[] = [
  { title: 'runtime', exportName: 'runRuntimeBench', run: runRuntimeBench },
  { title: 'debugger', file: 'debugBench.ts', exportName: 'runDebugBench' },
  { title: 'Python', file: 'pythonBench.ts', exportName: 'runPythonBench' },
  { title: 'Lambda API / function URLs', file: 'apiBench.ts', exportName: 'runApiBench' },
  { title: 'Node fidelity (runtime SDK, Node provisioning)', file: 'nodeFidelityBench.ts', exportName: 'runNodeFidelityBench' },
  { title: 'template language server', file: 'languageBench.ts', exportName: 'runLanguageBench' },
  { title: 'HTTP front doors (API Gateway, streaming)', file: 'httpBench.ts', exportName: 'runHttpBench' },
  { title: 'durable functions', file: 'durableBench.ts', exportName: 'runDurableBench' },
  { title: 'extensions', file: 'extensionsBench.ts', exportName: 'runExtensionsBench' },
  { title: 'startup paths (hot reload, provisioned concurrency)', file: 'startupBench.ts', exportName: 'runStartupBench' },
  { title: 'startup: Python pre-started interpreters', file: 'pythonStartupBench.ts', exportName: 'runPythonStartupBench' },
  { title: 'startup: F5 to an init breakpoint', file: 'f5Bench.ts', exportName: 'runF5Bench' },
  { title: 'startup: idle memory', file: 'idleMemoryBench.ts', exportName: 'runIdleMemoryBench' },
];

async function load(section: Section): Promise<BenchFn | undefined> {
  if (section.run) return section.run;
  const file = path.join(__dirname, section.file!);
  if (!existsSync(file)) return undefined;
  const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  // tsx may hand back CommonJS exports under `default`.
  const exports = { ...(mod.default as Record<string, unknown> | undefined), ...mod };
  const fn = exports[section.exportName];
  if (typeof fn !== 'function') throw new Error(`${section.file} does not export ${section.exportName}()`);
  return fn as BenchFn;
}

function machine(): string {
  const cpus = os.cpus();
  const load = os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  return `node ${process.version} · ${cpus.length}× ${cpus[0]?.model.trim() ?? 'unknown CPU'} · load average ${load}`;
}

async function main(): Promise<void> {
  const started = performance.now();
  console.log(`Lambda Lab benchmarks — ${machine()}`);
  console.log('Quoted figures are medians; floors are measured in this same run.\n');
  for (const section of SECTIONS) {
    let rows: BenchRow[];
    const t0 = performance.now();
    try {
      const run = await load(section);
      if (!run) continue;
      process.stderr.write(`${section.title}…\n`);
      rows = await withinDeadline(run(), SECTION_DEADLINE_MS);
    } catch (error) {
      rows = [failedRow(section.title, '', error)];
    }
    console.log(`${section.title} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    console.log(formatTable(rows), '\n');
  }
  console.log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s — load average now ${os.loadavg()[0].toFixed(2)}`);
}

main().then(
  // Helpers a bench forgot to close must not keep `npm run bench` alive.
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
