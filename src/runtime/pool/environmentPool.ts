// The environments of one function version: reuse a warm one, scale out up to the
// concurrency limit, throttle beyond it, reap idle ones, retire all on code change.
// Provisioned concurrency keeps a number of them initialised ahead and never reaped; they are
// taken first, and invocations beyond them spill to on-demand environments, as in Lambda.
import { EnvironmentLostError, type ExecutionEnvironment, type InvokeRequest } from '../environment/executionEnvironment';
import { tooManyRequests } from '../errors/serviceErrors';
import type { InvokeResult, StopReason } from '../runtimeEvents';

/** Environments alive or being created for one function, across all its versions. */
export interface ConcurrencySlots {
  used: number;
}

/** What the pool needs of an environment (ExecutionEnvironment; a fake in unit tests). */
export interface PooledEnvironment {
  readonly id: string;
  /** Can take an invocation now without a cold start. */
  readonly idle: boolean;
  /** Answered its invocation; its runtime client is about to poll for the next. */
  readonly releasing: boolean;
  readonly alive: boolean;
  /** Claims the environment synchronously; rejects with EnvironmentLostError if it cannot run the request. */
  invoke(request: InvokeRequest): Promise<InvokeResult>;
  start(): Promise<void>;
  stop(reason: StopReason): Promise<void>;
  stopWhenIdle(reason: StopReason): Promise<void>;
  stopDraining(reason: StopReason): Promise<void>;
  /** Resolves true once initialised, false if init failed or it stopped first. */
  whenInitialized(): Promise<boolean>;
}

/** Where a pool's provisioned concurrency stands (GetProvisionedConcurrencyConfig's figures). */
export interface ProvisionedState {
  requested: number;
  /** Provisioned environments initialised and alive. */
  allocated: number;
  /** Of those, the ones not running an invocation now. */
  available: number;
  status: 'IN_PROGRESS' | 'READY' | 'FAILED';
  statusReason?: string;
}

export interface PoolOptions<E extends PooledEnvironment = ExecutionEnvironment> {
  functionName: string;
  /** Environments allowed at once for the function, all versions together (reserved concurrency or the local cap). */
  limit: () => number;
  /** Shared by the pools of every version of the function, as reserved concurrency is in Lambda. */
  slots: ConcurrencySlots;
  /** Creates (does not start) the pool's next environment; `provisioned` ones initialise ahead of any invocation. */
  create: (ordinal: number, provisioned: boolean) => Promise<E>;
  /** Read at each scheduling, so a changed setting applies to running pools. */
  idleTimeoutMs: () => number;
}

/** Attempts at running one request when environments die under it before it started. */
const MAX_PLACEMENTS = 3;

export class EnvironmentPool<E extends PooledEnvironment = ExecutionEnvironment> {
  private readonly environments: E[] = [];
  private ordinal = 0;
  /** Environments holding one of the function's slots, released when they stop. */
  private readonly holding = new Set<E>();
  private readonly idleTimers = new Map<E, NodeJS.Timeout>();
  /** Provisioned environments (alive or starting), and the ones of them that finished init. */
  private readonly provisioned = new Set<E>();
  private readonly initialised = new Set<E>();
  /** Provisioned environments stopped on purpose (fewer requested, retired): their end is no failure. */
  private readonly dismissed = new WeakSet<E>();
  private provisionedTarget = 0;
  private provisionFailure: string | undefined;
  private creating: Promise<void> = Promise.resolve();
  /** Started ahead of any request (a code change's replacement), not yet claimed by an invocation. */
  private readonly prestarted = new Set<E>();
  private prestarting: Promise<void> | undefined;

  constructor(private readonly options: PoolOptions<E>) {}

  list(): readonly E[] {
    return this.environments;
  }

  async invoke(request: InvokeRequest): Promise<InvokeResult> {
    for (let attempt = 1; ; attempt++) {
      // Claiming a warm environment must happen in the same tick as finding it, or two callers
      // could both pick one idle environment; env.invoke() claims it synchronously.
      const env = this.warm() ?? (await this.prestartedOrNew());
      this.prestarted.delete(env);
      try {
        const result = await env.invoke(request);
        this.scheduleReap(env);
        return result;
      } catch (err) {
        if (!(err instanceof EnvironmentLostError) || attempt >= MAX_PLACEMENTS) throw err;
      }
    }
  }

  /**
   * A warm idle environment, else one that has just answered and is about to poll for its next
   * event (microseconds away, far cheaper than a cold start).
   */
  private warm(): E | undefined {
    let releasing: E | undefined;
    for (const env of this.environments) {
      if (env.idle) return env;
      releasing ??= env.releasing ? env : undefined;
    }
    return releasing;
  }

  /**
   * An environment started ahead and still initialising (its init has a head start), else a
   * new one. Provisioned environments still initialising are not taken: invocations spill to
   * on-demand ones until they are ready, as in Lambda.
   */
  private async prestartedOrNew(): Promise<E> {
    if (this.prestarting) await this.prestarting;
    for (const env of this.prestarted) {
      this.prestarted.delete(env);
      if (env.alive) return env;
    }
    return this.scaleOut();
  }

  /**
   * The code changed: every environment is retired (busy ones after their invocation) and one
   * replacement starts at once, so the next invocation finds its init under way or done.
   */
  replace(reason: StopReason): Promise<void> {
    const retired = this.retire(reason);
    const prestart = this.scaleOut().then(
      (env) => {
        this.prestarted.add(env);
        this.scheduleReap(env);
      },
      // No free slot (busy retirees still hold theirs): the next invocation starts one itself.
      () => undefined,
    );
    const tracked: Promise<void> = prestart.finally(() => {
      if (this.prestarting === tracked) this.prestarting = undefined;
    });
    this.prestarting = tracked;
    return retired;
  }

  /** A new environment if the function has a free concurrency slot; else throttle. */
  private async scaleOut(provisioned = false): Promise<E> {
    // The slot is taken before the (async) creation, or concurrent callers would all pass the check.
    const { slots } = this.options;
    if (slots.used >= this.options.limit()) throw tooManyRequests(this.options.functionName);
    slots.used++;
    let env: E;
    try {
      env = await this.options.create(++this.ordinal, provisioned);
    } catch (err) {
      slots.used--;
      throw err;
    }
    this.holding.add(env);
    // Provisioned environments go first, so warm() picks them before on-demand ones.
    if (provisioned) {
      this.provisioned.add(env);
      this.environments.unshift(env);
    } else {
      this.environments.push(env);
    }
    void env.start().catch(() => env.stop('crash'));
    return env;
  }

  /**
   * Sets the number of provisioned environments: new ones start and initialise now, surplus
   * ones stop (busy ones after their invocation). Resolves when all of them have initialised,
   * or one failed to (the state says FAILED and why).
   */
  async provision(count: number): Promise<void> {
    this.provisionedTarget = count;
    this.provisionFailure = undefined;
    const surplus = [...this.provisioned].slice(count);
    for (const env of surplus) {
      this.dismissed.add(env);
      this.release(env);
      void (env.idle ? env.stop('config-changed') : env.stopWhenIdle('config-changed'));
    }
    await this.topUp();
  }

  /**
   * Starts provisioned environments up to the target, one creation at a time (concurrent calls
   * queue, or two could both see one missing); resolves once the ones it started have initialised.
   */
  private topUp(): Promise<void> {
    const created = this.creating.then(async () => {
      const started: E[] = [];
      while (this.provisioned.size < this.provisionedTarget && !this.provisionFailure) {
        try {
          started.push(await this.scaleOut(true));
        } catch (err) {
          this.provisionFailure = (err as Error).message;
        }
      }
      return started;
    });
    this.creating = created.then(() => undefined);
    return created.then((started) =>
      Promise.all(
        started.map((env) =>
          env.whenInitialized().then((ok) => {
            if (ok) this.initialised.add(env);
            else if (!this.dismissed.has(env)) this.provisionFailure ??= `Environment ${env.id} failed to initialize; see its log stream.`;
          }),
        ),
      ).then(() => undefined),
    );
  }

  provisionedState(): ProvisionedState {
    const alive = [...this.initialised].filter((e) => e.alive);
    const allocated = alive.length;
    const available = alive.filter((e) => e.idle).length;
    const status = this.provisionFailure ? 'FAILED' : allocated >= this.provisionedTarget ? 'READY' : 'IN_PROGRESS';
    return { requested: this.provisionedTarget, allocated, available, status, statusReason: this.provisionFailure };
  }

  /** No longer provisioned: an ordinary (reapable) environment from now on. */
  private release(env: E) {
    this.provisioned.delete(env);
    this.initialised.delete(env);
  }

  /** Called by the runtime when an environment stopped, whatever the reason. */
  forget(environmentId: string) {
    const env = [...this.holding].find((e) => e.id === environmentId);
    if (!env) return;
    this.holding.delete(env);
    this.options.slots.used--;
    const i = this.environments.indexOf(env);
    if (i >= 0) this.environments.splice(i, 1);
    clearTimeout(this.idleTimers.get(env));
    this.idleTimers.delete(env);
    if (!this.provisioned.has(env)) return;
    const wasReady = this.initialised.has(env);
    this.release(env);
    // Lambda replaces a provisioned environment that went away (crash, timeout, out of memory).
    if (wasReady) void this.topUp();
  }

  /**
   * (Re)starts the environment's idle countdown. One timer per environment, restarted with
   * refresh() after each invoke; if it fires while an invoke runs, it does nothing, and that
   * invoke's end restarts it.
   */
  private scheduleReap(env: E) {
    const idleMs = this.options.idleTimeoutMs();
    // An environment that stopped while answering (a crash) was forgotten already: no timer may hold it.
    if (!idleMs || !env.alive || this.provisioned.has(env)) return;
    const existing = this.idleTimers.get(env);
    if (existing) {
      existing.refresh();
      return;
    }
    const timer = setTimeout(() => {
      if (env.idle) void env.stop('idle');
    }, idleMs);
    timer.unref();
    this.idleTimers.set(env, timer);
  }

  /**
   * Takes up to `count` on-demand environments out of service (reserved concurrency was
   * lowered below what runs): idle ones first and at once, then busy ones after their
   * invocation. Provisioned environments stay. Answers how many it took.
   */
  shed(count: number, reason: StopReason): number {
    const onDemand = this.environments.filter((e) => !this.provisioned.has(e));
    const victims = [...onDemand.filter((e) => e.idle || !e.alive), ...onDemand.filter((e) => !e.idle && e.alive)].slice(0, count);
    for (const env of victims) {
      this.environments.splice(this.environments.indexOf(env), 1);
      this.prestarted.delete(env);
      void (env.idle || !env.alive ? env.stop(reason) : env.stopWhenIdle(reason));
    }
    return victims.length;
  }

  /**
   * Takes every environment out of service: idle ones stop now, busy ones as soon as their
   * invocation ends (so no running invoke is cut short).
   */
  retire(reason: StopReason): Promise<void> {
    this.unprovision();
    const envs = this.environments.splice(0);
    return Promise.all(envs.map((env) => (env.idle || !env.alive ? env.stop(reason) : env.stopWhenIdle(reason)))).then(() => {});
  }

  /**
   * Stops everything now; running invocations fail as on a crash. With `drain`, idle
   * environments first write out the output their process still holds.
   */
  stopAll(reason: StopReason, opts: { drain?: boolean } = {}): Promise<void> {
    this.unprovision();
    const envs = this.environments.splice(0);
    return Promise.all(envs.map((env) => (opts.drain ? env.stopDraining(reason) : env.stop(reason)))).then(() => {});
  }

  /** Whoever configured provisioned concurrency provisions again after a retire (a template reload does). */
  private unprovision() {
    this.prestarted.clear();
    for (const env of this.provisioned) this.dismissed.add(env);
    this.provisionedTarget = 0;
    this.provisioned.clear();
    this.initialised.clear();
  }
}
