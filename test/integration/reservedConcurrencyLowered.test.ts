// Lowering reserved concurrency while environments run: those above the new limit are retired
// (idle ones at once, busy ones after their invocation), and the limit holds from then on.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LocalRuntime } from '../../src/runtime/localRuntime';
import type { InvokeResult, StopReason } from '../../src/runtime/runtimeEvents';

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'runtime', 'template.yaml');

describe('runtime: reserved concurrency lowered', function () {
  this.timeout(30_000);
  let runtime: LocalRuntime;
  let stateDir: string;

  beforeEach(async () => {
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lambda-lab-reserved-'));
    runtime = new LocalRuntime({ stateDir, watchCode: false });
    await runtime.loadTemplate(FIXTURE);
  });
  afterEach(async () => {
    await runtime.dispose();
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  const stops = () => {
    const seen: StopReason[] = [];
    runtime.on('environmentStopped', (_info, reason) => seen.push(reason));
    return seen;
  };

  it('retires the idle environments above the new limit, and throttles beyond it', async () => {
    await Promise.all([0, 1, 2].map(() => runtime.invoke('Throttled', '{"ms": 300}')));
    assert.equal(runtime.environments('Throttled').length, 3);
    const stopped = stops();
    const gone = new Promise<void>((resolve) => runtime.on('environmentStopped', () => stopped.length === 2 && resolve()));
    runtime.setReservedConcurrency('Throttled', 1);
    await gone;
    assert.deepEqual(stopped, ['config-changed', 'config-changed']);
    assert.equal(runtime.environments('Throttled').length, 1);
    const results = await Promise.allSettled([0, 1].map(() => runtime.invoke('Throttled', '{"ms": 300}')));
    assert.deepEqual(results.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
    const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')!;
    assert.equal(rejected.reason.type, 'TooManyRequestsException');
  });

  it('lets busy environments above the new limit finish their invocation, then retires them', async () => {
    let started = 0;
    const allBusy = new Promise<void>((resolve) => runtime.on('invocationStarted', () => ++started === 3 && resolve()));
    const running = Promise.all([0, 1, 2].map(() => runtime.invoke('Throttled', '{"ms": 800}')));
    await allBusy;
    const stopped = stops();
    const gone = new Promise<void>((resolve) => runtime.on('environmentStopped', () => stopped.length === 2 && resolve()));
    runtime.setReservedConcurrency('Throttled', 1);
    const results: InvokeResult[] = await running;
    assert.ok(
      results.every((r) => !r.functionError),
      'no invocation cut short',
    );
    await gone;
    assert.deepEqual(stopped, ['config-changed', 'config-changed']);
    assert.equal(runtime.environments('Throttled').length, 1);
  });
});
