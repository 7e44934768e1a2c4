// The warm invoke path alone, beside its floors, in about a minute: what `npm run bench`
// measures for warm invokes and for `serve`, without the cold starts, RSS, debugger and SDK
// figures. For iterating on the hot path:
//   npm run build && node --import tsx test/bench/warmPathBench.ts
import { rmSync } from 'node:fs';
import os from 'node:os';
import { apiFixture, measureServeWarm } from './apiBench';
import { formatTable, type BenchRow } from './benchTable';
import { measureConcurrent, measureWarm } from './runtimeBench';
import { createRuntime, probeHandlerProcess, writeFixture } from './runtimeFixture';

async function main(): Promise<void> {
  console.log(
    `warm path — node ${process.version} · load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const fixture = await writeFixture();
  const floors: BenchRow[] = [];
  const figures: BenchRow[] = [];
  const runtime = await createRuntime(fixture);
  try {
    const shape = await probeHandlerProcess(runtime);
    await measureWarm(runtime, fixture, shape, floors, figures);
    await measureConcurrent(runtime, shape, fixture.codeDir, floors, figures);
  } finally {
    await runtime.dispose();
    rmSync(fixture.dir, { recursive: true, force: true });
  }
  const api: BenchRow[] = [];
  const dir = apiFixture();
  try {
    await measureServeWarm(dir, api, { sdk: false });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(formatTable([...floors, ...figures, ...api]));
  console.log(`load average now ${os.loadavg()[0].toFixed(2)}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
