// EnvironmentPool against fake environments: warm reuse, scale-out to the shared concurrency
// limit and throttling past it, re-placement when an environment dies before starting a
// request, idle reaping, retiring and stopping.
import * as assert from 'node:assert/strict';
import { EnvironmentLostError, type InvokeRequest } from '../../src/runtime/environment/executionEnvironment';
import { LambdaServiceError } from '../../src/runtime/errors/serviceErrors';
import { EnvironmentPool, type ConcurrencySlots, type PooledEnvironment } from '../../src/runtime/pool/environmentPool';
import type { InvokeResult, StopReason } from '../../src/runtime/runtimeEvents';
import { sleep, tick } from './environmentFakes';

class FakePooled implements PooledEnvironment {
  idle = true;
  releasing = false;
  alive = true;
  started = false;
  stops: string[] = [];
  /** Requests it took, with the means to answer them. */
  readonly taken: Array<{ request: InvokeRequest; answer: () => void }> = [];
  /** Throw EnvironmentLostError at the next invoke (it died before starting the request). */
  loseNext = false;

  constructor(
    readonly id: string,
    private readonly onStopped: (env: FakePooled) => void,
  ) {}

  invoke(request: InvokeRequest): Promise<InvokeResult> {
    if (this.loseNext) {
      this.loseNext = false;
      this.alive = false;
      this.onStopped(this);
      return Promise.reject(new EnvironmentLostError('gone'));
    }
    // Claimed synchronously, as ExecutionEnvironment claims itself.
    this.idle = false;
    return new Promise((resolve) =>
      this.taken.push({
        request,
        answer: () => {
          this.idle = true;
          resolve({ requestId: request.requestId, environmentId: this.id } as InvokeResult);
        },
      }),
    );
  }

  async start() {
    this.started = true;
  }

  async whenInitialized() {
    return this.alive;
  }

  private end(kind: string, reason: StopReason) {
    this.stops.push(`${kind}:${reason}`);
    this.alive = false;
    this.onStopped(this);
  }

  async stop(reason: StopReason) {
    this.end('stop', reason);
  }

  async stopWhenIdle(reason: StopReason) {
    this.end('stopWhenIdle', reason);
  }

  async stopDraining(reason: StopReason) {
    this.end('stopDraining', reason);
  }
}

function makePool(
  opts: { limit?: number; slots?: ConcurrencySlots; idleTimeoutMs?: number; failCreate?: () => boolean; dying?: boolean } = {},
) {
  const created: FakePooled[] = [];
  const slots = opts.slots ?? { used: 0 };
  const pool: EnvironmentPool<FakePooled> = new EnvironmentPool<FakePooled>({
    functionName: 'fn',
    limit: () => opts.limit ?? 3,
    slots,
    idleTimeoutMs: () => opts.idleTimeoutMs ?? 0,
    create: async (ordinal) => {
      if (opts.failCreate?.()) throw new Error('build failed');
      const env = new FakePooled(`fn:$LATEST:${ordinal}`, (e) => pool.forget(e.id));
      env.loseNext = opts.dying ?? false;
      created.push(env);
      return env;
    },
  });
  return { pool, created, slots };
}

const request = (requestId: string): InvokeRequest => ({ requestId, payload: Buffer.from('{}') });

describe('EnvironmentPool (fakes)', () => {
  it('reuses a warm environment, and starts one per concurrent caller', async () => {
    const { pool, created } = makePool();
    const a = pool.invoke(request('a'));
    await tick();
    assert.equal(created.length, 1);
    assert.ok(created[0].started);
    created[0].taken[0].answer();
    await a;
    const b = pool.invoke(request('b'));
    assert.equal(created[0].taken.length, 2, 'the warm environment took it in the same turn');
    const c = pool.invoke(request('c'));
    await tick();
    assert.equal(created.length, 2, 'busy: a second environment');
    created[0].taken[1].answer();
    created[1].taken[0].answer();
    assert.deepEqual(
      (await Promise.all([b, c])).map((r) => r.environmentId),
      ['fn:$LATEST:1', 'fn:$LATEST:2'],
    );
  });

  it('never lets two callers claim the same idle environment', async () => {
    const { pool, created } = makePool();
    const first = pool.invoke(request('x'));
    await tick();
    created[0].taken[0].answer();
    await first;
    const both = [pool.invoke(request('y')), pool.invoke(request('z'))];
    await tick();
    assert.equal(created[0].taken.length, 2);
    assert.equal(created[1].taken.length, 1);
    created[0].taken[1].answer();
    created[1].taken[0].answer();
    await Promise.all(both);
  });

  it('prefers an environment that is releasing (about to poll) over a cold start', async () => {
    const { pool, created } = makePool();
    const first = pool.invoke(request('1'));
    await tick();
    created[0].taken[0].answer();
    await first;
    created[0].idle = false;
    created[0].releasing = true;
    void pool.invoke(request('2'));
    assert.equal(created.length, 1);
    assert.equal(created[0].taken.length, 2);
  });

  it('throttles with TooManyRequestsException at the limit, shared by every version of the function', async () => {
    const slots = { used: 0 };
    const latest = makePool({ limit: 2, slots });
    const v1 = makePool({ limit: 2, slots });
    void latest.pool.invoke(request('a'));
    void v1.pool.invoke(request('b'));
    await tick();
    await assert.rejects(
      latest.pool.invoke(request('c')),
      (err: LambdaServiceError) => err.type === 'TooManyRequestsException' && err.statusCode === 429,
    );
    assert.equal(slots.used, 2);
    await latest.created[0].stop('stopped');
    assert.equal(slots.used, 1, 'a stopped environment gives its slot back');
    void v1.pool.invoke(request('d'));
    await tick();
    assert.equal(v1.created.length, 2);
  });

  it('gives the slot back when creating an environment fails', async () => {
    const { pool, slots } = makePool({ failCreate: () => true });
    await assert.rejects(pool.invoke(request('a')), /build failed/);
    assert.equal(slots.used, 0);
  });

  it('places a request again when its environment died before starting it, up to three times', async () => {
    const { pool, created } = makePool({ limit: 10 });
    const first = pool.invoke(request('a'));
    await tick();
    created[0].taken[0].answer();
    await first;
    created[0].loseNext = true;
    const placed = pool.invoke(request('b'));
    await tick();
    assert.equal(created.length, 2);
    created[1].taken[0].answer();
    assert.equal((await placed).environmentId, 'fn:$LATEST:2');

    // Every environment dies before starting it: the third loss is the caller's.
    const unlucky = makePool({ limit: 10, dying: true });
    await assert.rejects(unlucky.pool.invoke(request('c')), EnvironmentLostError);
    assert.equal(unlucky.created.length, 3);
    assert.equal(unlucky.slots.used, 0);
  });

  it('reaps an environment idle for idleTimeoutMs, not one that is busy', async () => {
    const { pool, created } = makePool({ idleTimeoutMs: 30 });
    const a = pool.invoke(request('a'));
    await tick();
    created[0].taken[0].answer();
    await a;
    void pool.invoke(request('b'));
    await sleep(60);
    assert.deepEqual(created[0].stops, [], 'busy when the timer fired');
    created[0].taken[1].answer();
    await sleep(60);
    assert.deepEqual(created[0].stops, ['stop:idle']);
    assert.equal(pool.list().length, 0);
  });

  it('holds no timer for an environment that stopped while answering (it would keep it in memory)', async () => {
    const { pool, created } = makePool({ idleTimeoutMs: 60_000 });
    const a = pool.invoke(request('a'));
    await tick();
    // A crash: the environment answers and stops in the same turn, before the pool's caller resumes.
    created[0].alive = false;
    await created[0].stop('crash');
    created[0].taken[0].answer();
    await a;
    assert.equal((pool as unknown as { idleTimers: Map<unknown, unknown> }).idleTimers.size, 0);
  });

  it('retires idle environments now and busy ones when idle; stopAll stops all, draining when asked', async () => {
    const { pool, created } = makePool();
    const a = pool.invoke(request('a'));
    const b = pool.invoke(request('b'));
    await tick();
    created[0].taken[0].answer();
    await a;
    await pool.retire('code-changed');
    assert.deepEqual(created[0].stops, ['stop:code-changed']);
    assert.deepEqual(created[1].stops, ['stopWhenIdle:code-changed']);
    created[1].taken[0].answer();
    await b;

    const drained = makePool();
    void drained.pool.invoke(request('c'));
    await tick();
    await drained.pool.stopAll('stopped', { drain: true });
    assert.deepEqual(drained.created[0].stops, ['stopDraining:stopped']);
    assert.equal(drained.pool.list().length, 0);
  });
});
