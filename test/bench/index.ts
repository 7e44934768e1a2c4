// `npm run bench`: every benchmark in one run on this machine, printed as tables with the
// floors beside the figures. Not a test: missed goals show as `NO`, the exit code stays 0.
// It runs bundled as the product ships (scripts/buildBench.mjs), not through tsx.
// `npm run bench -- <words>` runs only the sections whose title contains one of the words.
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { runApiBench } from './apiBench';
import { failedRow, formatTable, withinDeadline, type BenchRow } from './benchTable';
import { runDebugBench } from './debugBench';
import { runDurableBench } from './durableBench';
import { runExtensionsBench } from './extensionsBench';
import { runF5Bench } from './f5Bench';
import { runHttpBench } from './httpBench';
import { runIdleMemoryBench } from './idleMemoryBench';
import { runLanguageBench } from './languageBench';
import { runNodeFidelityBench } from './nodeFidelityBench';
import { runPythonBench } from './pythonBench';
import { runPythonStartupBench } from './pythonStartupBench';
import { runRuntimeBench } from './runtimeBench';
import { runStartupBench } from './startupBench';

/** A section still running after this is reported as failed and the next one starts. */
const SECTION_DEADLINE_MS = 240_000;

const SECTIONS: Array<{ title: string; run: () => Promise<BenchRow[]> }> = [
  { title: 'runtime', run: runRuntimeBench },
  { title: 'debugger', run: runDebugBench },
  { title: 'Python', run: runPythonBench },
  { title: 'Lambda API / function URLs', run: runApiBench },
  { title: 'Node fidelity (runtime SDK, Node provisioning)', run: runNodeFidelityBench },
  { title: 'template language server', run: runLanguageBench },
  { title: 'HTTP front doors (API Gateway, streaming)', run: runHttpBench },
  { title: 'durable functions', run: runDurableBench },
  { title: 'extensions', run: runExtensionsBench },
  { title: 'startup paths (hot reload, provisioned concurrency)', run: runStartupBench },
  { title: 'startup: Python pre-started interpreters', run: runPythonStartupBench },
  { title: 'startup: F5 to an init breakpoint', run: runF5Bench },
  { title: 'startup: idle memory', run: runIdleMemoryBench },
];

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
  const words = process.argv.slice(2).map((word) => word.toLowerCase());
  const chosen = words.length ? SECTIONS.filter((s) => words.some((word) => s.title.toLowerCase().includes(word))) : SECTIONS;
  if (!chosen.length)
    throw new Error(`no bench section's title contains ${words.join(' or ')}: ${SECTIONS.map((s) => s.title).join('; ')}`);
  for (const section of chosen) {
    let rows: BenchRow[];
    const t0 = performance.now();
    try {
      process.stderr.write(`${section.title}…\n`);
      rows = await withinDeadline(section.run(), SECTION_DEADLINE_MS);
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
