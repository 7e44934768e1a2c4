// EnvironmentPool's startup paths against fake environments whose init the test finishes:
// provisioned concurrency (IN_PROGRESS → READY / FAILED, taken first, spill-over, never
// reaped, replaced after a crash, released) and the replacement a code change starts ahead.
import * as assert from 'node:assert/strict';
import type { InvokeRequest } from '../../src/runtime/environment/executionEnvironment';
import { EnvironmentPool } from '../../src/runtime/pool/environmentPool';
import type { InvokeResult, StopReason } from '../../src/runtime/runtimeEvents';
import { sleep, tick } from './environmentFakes';

class FakeEnv {
  alive = true;
  initialised = false;
  busy = false;
  queued = 0;
  stops: StopReason[] = [];
  private finishInit!: (ok: boolean) => void;
  private readonly init = new Promise<boolean>((resolve) => (this.finishInit = resolve));
  readonly answers: Array<() => void> = [];

  constructor(
    readonly id: string,
    readonly provisioned: boolean,
    private readonly onStopped: (env: FakeEnv) => void,
  ) {}

  get idle() {
    return this.alive && this.initialised && !this.busy;
  }

  get releasing() {
    return false;
  }

  /** Takes the request now; it runs once init is done, as ExecutionEnvironment queues it. */
  invoke(request: InvokeRequest): Promise<InvokeResult> {
    this.busy = true;
    this.queued++;
    return new Promise((resolve) =>
      this.answers.push(() => {
        this.busy = false;
        resolve({ requestId: request.requestId, environmentId: this.id } as InvokeResult);
      }),
    );
  }

  async start() {}

  whenInitialized() {
    return this.init;
  }

  initDone(ok = true) {
    this.initialised = ok;
    this.finishInit(ok);
    if (!ok) this.crash();
  }

  crash() {
    this.stop('crash');
  }

  async stop(reason: StopReason) {
    if (!this.alive) return;
    this.alive = false;
    this.stops.push(reason);
    this.finishInit(false);
    this.onStopped(this);
  }

  stopWhenIdle(reason: StopReason) {
    return this.stop(reason);
  }

  stopDraining(reason: StopReason) {
    return this.stop(reason);
  }
}

function makePool(limit = 4, idleTimeoutMs = 0) {
  const created: FakeEnv[] = [];
  const pool: EnvironmentPool<FakeEnv> = new EnvironmentPool<FakeEnv>({
    functionName: 'fn',
    limit: () => limit,
    slots: { used: 0 },
    idleTimeoutMs: () => idleTimeoutMs,
    create: async (ordinal, provisioned) => {
      const env = new FakeEnv(`fn:1:${ordinal}`, provisioned, (e) => pool.forget(e.id));
      created.push(env);
      return env;
    },
  });
  return { pool, created };
}

const request = (requestId: string): InvokeRequest => ({ requestId, payload: Buffer.from('{}') });

describe('EnvironmentPool startup paths (fakes)', () => {
  it('provisions environments ahead: IN_PROGRESS until all initialised, then READY', async () => {
    const { pool, created } = makePool();
    const ready = pool.provision(2);
    await tick();
    assert.deepEqual(
      created.map((e) => e.provisioned),
      [true, true],
    );
    assert.deepEqual(pool.provisionedState(), { requested: 2, allocated: 0, available: 0, status: 'IN_PROGRESS', statusReason: undefined });
    created[0].initDone();
    await tick();
    assert.equal(pool.provisionedState().status, 'IN_PROGRESS');
    created[1].initDone();
    await ready;
    assert.deepEqual(pool.provisionedState(), { requested: 2, allocated: 2, available: 2, status: 'READY', statusReason: undefined });
    const busy = pool.invoke(request('busy'));
    assert.deepEqual([pool.provisionedState().allocated, pool.provisionedState().available], [2, 1], 'a busy one is not available');
    created.find((e) => e.busy)!.answers[0]();
    await busy;
    assert.equal(pool.provisionedState().available, 2);
  });

  it('sheds on-demand environments above a lowered limit, idle ones first, and keeps provisioned ones', async () => {
    const { pool, created } = makePool();
    const ready = pool.provision(1);
    await tick();
    created[0].initDone();
    await ready;
    const running = [pool.invoke(request('a')), pool.invoke(request('b')), pool.invoke(request('c'))];
    await tick();
    for (const env of created.slice(1)) env.initDone();
    created[0].answers[0]();
    created[1].answers[0]();
    await Promise.all(running.slice(0, 2));
    // created[0] provisioned and idle, created[1] idle, created[2] busy.
    assert.equal(pool.shed(1, 'config-changed'), 1);
    assert.deepEqual(
      created.map((e) => e.alive),
      [true, false, true],
      'the idle on-demand one goes first',
    );
    assert.equal(pool.shed(5, 'config-changed'), 1, 'only on-demand environments are shed');
    assert.ok(created[0].alive, 'the provisioned environment stays');
    assert.deepEqual(pool.list(), [created[0]]);
  });

  it('spills to on-demand environments while provisioned ones initialise and beyond them', async () => {
    const { pool, created } = makePool();
    void pool.provision(1);
    await tick();
    const early = pool.invoke(request('early'));
    await tick();
    assert.equal(created.length, 2);
    assert.equal(created[1].provisioned, false, 'a provisioned environment still initialising is not taken');
    assert.equal(created[0].queued, 0);
    created[1].initDone();
    created[1].answers[0]();
    await early;

    created[0].initDone();
    await tick();
    const a = pool.invoke(request('a'));
    const b = pool.invoke(request('b'));
    await tick();
    assert.equal(created[0].queued, 1, 'the provisioned environment is taken first');
    assert.equal(created[1].queued, 2, 'the next goes to the warm on-demand one');
    created[0].answers[0]();
    created[1].answers[1]();
    await Promise.all([a, b]);
  });

  it('never reaps provisioned environments, replaces a crashed one, releases them at 0', async () => {
    const { pool, created } = makePool(4, 5);
    const ready = pool.provision(1);
    await tick();
    created[0].initDone();
    await ready;
    const r = pool.invoke(request('x'));
    created[0].answers[0]();
    await r;
    await sleep(20);
    assert.ok(created[0].alive, 'reaped');

    created[0].crash();
    await tick();
    assert.equal(created.length, 2);
    assert.ok(created[1].provisioned);
    assert.equal(pool.provisionedState().status, 'IN_PROGRESS');
    created[1].initDone();
    await tick();
    assert.equal(pool.provisionedState().status, 'READY');

    await pool.provision(0);
    assert.deepEqual(created[1].stops, ['config-changed']);
    assert.equal(pool.provisionedState().requested, 0);
  });

  it('reports FAILED with the reason when a provisioned environment cannot initialise, and does not retry', async () => {
    const { pool, created } = makePool();
    const ready = pool.provision(1);
    await tick();
    created[0].initDone(false);
    await ready;
    await tick();
    const state = pool.provisionedState();
    assert.equal(state.status, 'FAILED');
    assert.match(state.statusReason ?? '', /fn:1:1 failed to initialize/);
    assert.equal(created.length, 1);
  });

  it('fails provisioning beyond the concurrency limit', async () => {
    const { pool, created } = makePool(1);
    const done = pool.provision(2);
    await tick();
    assert.equal(created.length, 1);
    assert.equal(pool.provisionedState().status, 'FAILED');
    assert.match(pool.provisionedState().statusReason ?? '', /concurrency limit/);
    created[0].initDone();
    await done;
  });

  it('starts a replacement as soon as the code changes, and the next invoke takes it even before its init ends', async () => {
    const { pool, created } = makePool();
    const first = pool.invoke(request('1'));
    await tick();
    created[0].initDone();
    created[0].answers[0]();
    await first;

    void pool.replace('code-changed');
    await tick();
    assert.deepEqual(created[0].stops, ['code-changed']);
    assert.equal(created.length, 2, 'the replacement started without a request');
    const next = pool.invoke(request('2'));
    await tick();
    assert.equal(created.length, 2, 'no second cold start beside the replacement');
    assert.equal(created[1].queued, 1);
    created[1].initDone();
    created[1].answers[0]();
    assert.equal((await next).environmentId, 'fn:1:2');
  });
});
