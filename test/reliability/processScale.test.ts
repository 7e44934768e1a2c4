// Many environments at once, and environments that die: no listener warnings past 50
// environments, and a crashed environment's REPORT says the memory it last used.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LocalRuntime } from '../../src/runtime/localRuntime';
import { cli, CLI, makeProject } from './processHarness';

describe('reliability: many environments, crashed environments', function () {
  this.timeout(120_000);
  let dir: string;

  beforeEach(() => {
    dir = makeProject();
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('runs 60 environments at once without MaxListenersExceededWarning', async function () {
    if (!fs.existsSync(CLI)) this.skip();
    const child = cli(['invoke', 'Slow', '-t', path.join(dir, 'template.yaml'), '-n', '60', '-c', '60', '--json']);
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.equal(code, 0, child.err().slice(-2000));
    const results = child
      .out()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(results.length, 60);
    assert.equal(new Set(results.map((r) => r.environmentId)).size, 60, 'one environment per concurrent invoke');
    assert.doesNotMatch(child.err(), /MaxListenersExceeded|memory leak/);
  });

  it("reports the crashed environment's last measured memory in REPORT, not 0 MB", async () => {
    const runtime = new LocalRuntime({ stateDir: path.join(dir, '.state'), watchCode: false });
    await runtime.loadTemplate(path.join(dir, 'template.yaml'));
    try {
      const result = await runtime.invoke('Crash', '{}');
      assert.equal(JSON.parse(result.payload.toString()).errorType, 'Runtime.ExitError');
      // The handler module holds a 32 MB buffer from init on.
      assert.ok(result.maxMemoryUsedMB >= 32, `Max Memory Used ${result.maxMemoryUsedMB} MB`);
      assert.match(result.logTail, new RegExp(`Max Memory Used: ${result.maxMemoryUsedMB} MB`));
    } finally {
      await runtime.dispose();
    }
  });
});
