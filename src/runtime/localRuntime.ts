// The runtime's front door: load templates, invoke functions, watch environments.
// Extension, CLI, debug adapter and API server all hold one of these.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startDurableEndpoint, type DurableEndpoint } from './lambdaApi/durableEndpoint';
import { EsbuildBuilder, nearestLockfile } from './build/esbuildBuilder';
import { DurableService, executionInvokeResult } from './durable/durableService';
import { functionErrorObject } from './durable/executionDriver';
import { watchCode, watchFile, type CodeWatcher } from './codeWatcher';
import { externalExtensions } from './environment/environmentExtensions';
import { ExecutionEnvironment } from './environment/executionEnvironment';
import { PrestartedProcesses } from './environment/prestartedProcesses';
import { DEFAULT_HOST_ALLOWLIST } from './environment/environmentVariables';
import { familyOf } from './families/runtimeFamilies';
import { isLaunchFailure, type FamilyLauncher, type ProcessLaunch, type RuntimeFamily } from './families/runtimeFamily';
import type { FunctionConfig, TemplateModel, UnsupportedFunction } from './functionConfig';
import { functionNotRunnable, invalidRequestContent, requestTooLarge, functionNotFound } from './errors/serviceErrors';
import { LogStore, type LogStreamInfo } from './logs/logStore';
import { EnvironmentPool, type ConcurrencySlots, type ProvisionedState } from './pool/environmentPool';
import { RuntimeEventEmitter, type EnvironmentInfo, type InvokeResult, type LogRecord, type StopReason } from './runtimeEvents';
import type { DebugController, InvokeOptions, LayerMaterializer, QualifierResolver, RuntimeOptions } from './runtimeOptions';
import { loadTemplate } from './template/templateLoader';
import { hostRegion } from './hostRegion';

export interface LoadTemplateOptions {
  /** SAM `--env-vars` shaped JSON file. */
  envVarsFile?: string;
  parameterOverrides?: Record<string, string>;
  /** Layer ARNs to run without (see TemplateLoadOptions). */
  withoutLayers?: string[];
}

/** Lambda's payload limits (bytes): 6 MB synchronous, 1 MB asynchronous (256 KB before October 2025). */
export const MAX_SYNC_PAYLOAD = 6 * 1024 * 1024;
export const MAX_ASYNC_PAYLOAD = 1024 * 1024;

/**
 * How long file events may keep coming for one save before it counts as done: an editor's
 * truncate-then-write lands within a millisecond or two; a checkout's many files within a few.
 */
const SAVE_SETTLE_MS = 10;

const DEFAULTS = {
  region: 'us-east-1',
  accountId: '123456789012',
  idleTimeoutMs: 10 * 60_000,
  concurrencyCap: 10,
  logRetention: 50,
};

/** Read access to the persisted log streams of every loaded function. */
export interface LogReader {
  listStreams(functionName: string): LogStreamInfo[];
  /** Read as iterated: a stream may be larger than memory. */
  readStream(functionName: string, logStreamName: string): Iterable<LogRecord>;
}

export class LocalRuntime extends RuntimeEventEmitter {
  private readonly templates = new Map<string, TemplateModel>();
  /** Lookup by name on every invoke; rebuilt lazily after templates change. */
  private functionIndex: Map<string, FunctionConfig> | undefined;
  private readonly pools = new Map<string, EnvironmentPool>();
  private readonly slots = new Map<string, ConcurrencySlots>();
  private readonly debugControllers = new Set<DebugController>();
  private readonly watchers = new Map<string, CodeWatcher>();
  private readonly builder = new EsbuildBuilder();
  /** Builds in flight or done per function, reset when its sources change. */
  private readonly builds = new Map<string, Promise<void>>();
  private qualifierResolver: QualifierResolver | undefined;
  private layerMaterializer: LayerMaterializer | undefined;
  private readonly logStores = new Map<string, LogStore>();
  private readonly launchers = new Map<RuntimeFamily, FamilyLauncher>();
  private readonly prestarted = new PrestartedProcesses();
  private disposed = false;
  /** Durable executions of the functions with DurableConfig. */
  readonly durable: DurableService;
  private durableEndpoint: Promise<DurableEndpoint> | undefined;

  constructor(readonly options: RuntimeOptions = {}) {
    super();
    this.durable = new DurableService(
      {
        getFunction: (name) => this.getFunction(name),
        functions: () => this.functions(),
        stateDirFor: (templatePath) => this.stateDirFor(templatePath),
        functionArn: (fn, version) => `arn:aws:lambda:${this.region}:${this.accountId}:function:${fn.functionName}:${version}`,
        invokeVersion: (name, version, payload, requestId) => this.invokeVersion(name, version, payload, requestId),
        invokeChained: (target, payload) => this.invokeChained(target, payload),
        diagnostic: (message) => this.emit('diagnostic', { level: 'warning', message }),
      },
      { timeScale: options.durableTimeScale },
    );
    // Every view, the debug adapter and each debugged environment subscribe: more than Node's default 10.
    this.setMaxListeners(50);
    // One listener for every environment (one each would pass the limit above with 50 of them).
    this.on('environmentStopped', (info) => this.pools.get(`${info.functionName}:${info.version}`)?.forget(info.id));
  }

  get region() {
    return this.options.region ?? hostRegion() ?? DEFAULTS.region;
  }

  get accountId() {
    return this.options.accountId ?? DEFAULTS.accountId;
  }

  /** Most environments per function without reserved concurrency; asynchronous invokes never run more at once. */
  get concurrencyCap() {
    return this.options.concurrencyCap ?? DEFAULTS.concurrencyCap;
  }

  /** Where state (logs, builds, versions) lives for a template: `<template dir>/.lambda-lab` unless set. */
  stateDirFor(templatePath: string): string {
    return this.options.stateDir ?? path.join(path.dirname(path.resolve(templatePath)), '.lambda-lab');
  }

  /** Reads a template (replacing the functions it defined before). Throws TemplateError. */
  async loadTemplate(templatePath: string, opts: LoadTemplateOptions = {}): Promise<TemplateModel> {
    const file = path.resolve(templatePath);
    const stateDir = this.stateDirFor(file);
    ensureStateDir(stateDir);
    const model = await loadTemplate(file, {
      stateDir,
      envVarsFile: opts.envVarsFile,
      parameterOverrides: opts.parameterOverrides,
      withoutLayers: opts.withoutLayers,
      region: this.region,
      accountId: this.accountId,
    });
    const previous = this.templates.get(file);
    this.templates.set(file, model);
    this.functionIndex = undefined;
    if (previous) {
      await this.retireChanged(previous, model);
      const kept = new Set(model.functions.map((f) => f.functionName));
      await Promise.all(previous.functions.filter((f) => !kept.has(f.functionName)).map((f) => this.forgetFunction(f)));
    }
    for (const fn of model.functions) this.watchCode(fn);
    this.emit('templateLoaded', model);
    this.emit('functionsChanged', this.functions());
    return model;
  }

  /** Forgets a template's functions and stops their environments. */
  async unloadTemplate(templatePath: string): Promise<void> {
    const file = path.resolve(templatePath);
    const model = this.templates.get(file);
    if (!model) return;
    this.templates.delete(file);
    this.functionIndex = undefined;
    await Promise.all(model.functions.map((fn) => this.forgetFunction(fn)));
    this.emit('functionsChanged', this.functions());
  }

  templateModels(): TemplateModel[] {
    return [...this.templates.values()];
  }

  /** Every function of every loaded template. */
  functions(): FunctionConfig[] {
    return [...this.templates.values()].flatMap((t) => t.functions);
  }

  unsupportedFunctions(): UnsupportedFunction[] {
    return [...this.templates.values()].flatMap((t) => t.unsupported);
  }

  /** By logical id or FunctionName (also accepts a function ARN, with or without qualifier). */
  getFunction(nameOrId: string): FunctionConfig | undefined {
    const index = (this.functionIndex ??= this.indexFunctions());
    const hit = index.get(nameOrId);
    if (hit) return hit;
    const name = /^arn:aws[\w-]*:lambda:[^:]*:[^:]*:function:([^:]+)/.exec(nameOrId)?.[1];
    return name ? index.get(name) : undefined;
  }

  /** FunctionName and logical id → function; FunctionName wins where the two collide, as before. */
  private indexFunctions(): Map<string, FunctionConfig> {
    const index = new Map<string, FunctionConfig>();
    const all = this.functions();
    for (const f of all) if (!index.has(f.logicalId)) index.set(f.logicalId, f);
    for (const f of all) index.set(f.functionName, f);
    return index;
  }

  /** Synchronous invoke. Function errors resolve (functionError set); service errors reject with LambdaServiceError. */
  async invoke(nameOrId: string, payload: Buffer | string, opts: InvokeOptions = {}): Promise<InvokeResult> {
    if (this.disposed) throw new Error('The runtime has been disposed');
    const latest = this.getFunction(nameOrId);
    if (!latest) {
      const unsupported = this.unsupportedFunctions().find((u) => u.functionName === nameOrId || u.logicalId === nameOrId);
      if (unsupported) throw functionNotRunnable(unsupported.functionName, unsupported.reason);
      throw functionNotFound(
        `${nameOrId}. Known functions: ${
          this.functions()
            .map((f) => f.logicalId)
            .join(', ') || 'none (no template loaded)'
        }`,
      );
    }
    const body = normalisePayload(payload, opts.invocationType === 'Event' ? MAX_ASYNC_PAYLOAD : MAX_SYNC_PAYLOAD);
    // $LATEST resolves without a promise turn: it is every warm invoke's path.
    const { version, config } =
      !opts.qualifier || opts.qualifier === '$LATEST' ? { version: '$LATEST', config: latest } : await this.resolve(latest, opts.qualifier);
    if (config.durableConfig) return this.invokeDurable(config, version, body, opts);
    const pool = this.poolFor(config, version);
    return pool
      .invoke({
        requestId: opts.requestId ?? crypto.randomUUID(),
        payload: body,
        clientContext: opts.clientContext,
        onStreamChunk: opts.onStreamChunk,
        signal: opts.signal,
      })
      .catch((err: unknown) => {
        if (!opts.signal?.aborted) this.emit('invokeFailed', config.functionName, err instanceof Error ? err : new Error(String(err)));
        throw err;
      });
  }

  /** Starts a durable execution and answers its outcome once it ends, as a synchronous invoke of a durable function does. */
  private async invokeDurable(fn: FunctionConfig, version: string, body: Buffer, opts: InvokeOptions): Promise<InvokeResult> {
    const started = Date.now();
    const driver = await this.durable.start({ fn, version, payload: body.toString('utf8'), name: opts.durableExecutionName });
    opts.onDurableExecution?.(driver.record.DurableExecutionArn);
    // The service's timers do not keep a process alive; a caller following an execution through a long wait does.
    const following = setInterval(() => undefined, 60_000);
    const record = await driver.whenEnded().finally(() => clearInterval(following));
    const durationMs = Date.now() - started;
    return {
      ...executionInvokeResult(record, opts.requestId ?? crypto.randomUUID()),
      cold: false,
      environmentId: '',
      version,
      durationMs,
      billedDurationMs: 0,
      maxMemoryUsedMB: 0,
      memorySizeMB: fn.memorySize,
      logTail: '',
    };
  }

  /** One plain invocation of a version (a durable execution's replay): the durable envelope in, the SDK's status out. */
  async invokeVersion(nameOrId: string, version: string, payload: Buffer, requestId: string): Promise<InvokeResult> {
    const latest = this.getFunction(nameOrId);
    if (!latest) throw functionNotFound(nameOrId);
    const config = version === '$LATEST' ? latest : (await this.resolve(latest, version)).config;
    return this.poolFor(config, version).invoke({ requestId, payload });
  }

  /** context.invoke of a durable function: `name`, `name:qualifier` or an ARN, invoked synchronously. */
  private async invokeChained(target: string, payload: string | undefined) {
    const arn = /^arn:aws[\w-]*:lambda:[^:]*:[^:]*:function:([^:]+)(?::([^:]+))?$/.exec(target);
    const [name, qualifier] = arn ? [arn[1], arn[2]] : target.split(':');
    const result = await this.invoke(name, payload ?? '{}', { qualifier });
    const text = result.payload.toString('utf8');
    if (!result.functionError) return { result: text };
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = { errorMessage: text };
    }
    return { error: functionErrorObject(body) };
  }

  /** The loopback endpoint durable handler processes checkpoint to, started with the first of them. */
  private durableEndpointUrl(): Promise<string> {
    this.durableEndpoint ??= startDurableEndpoint(this.durable);
    return this.durableEndpoint.then((e) => e.url);
  }

  private async resolve(fn: FunctionConfig, qualifier: string) {
    if (!this.qualifierResolver) throw functionNotFound(`${fn.functionName}:${qualifier} (no versions or aliases published)`);
    return this.qualifierResolver(fn, qualifier);
  }

  private poolFor(fn: FunctionConfig, version: string): EnvironmentPool {
    const key = `${fn.functionName}:${version}`;
    let pool = this.pools.get(key);
    if (!pool) {
      pool = new EnvironmentPool({
        functionName: fn.functionName,
        limit: () => this.concurrencyLimit(fn.functionName),
        slots: this.slotsFor(fn.functionName),
        idleTimeoutMs: () => this.options.idleTimeoutMs ?? DEFAULTS.idleTimeoutMs,
        create: (ordinal, provisioned) => this.createEnvironment(fn, version, ordinal, provisioned),
      });
      this.pools.set(key, pool);
    }
    return pool;
  }

  private slotsFor(functionName: string): ConcurrencySlots {
    let slots = this.slots.get(functionName);
    if (!slots) this.slots.set(functionName, (slots = { used: 0 }));
    return slots;
  }

  /**
   * Provisioned concurrency of one published version: `count` environments initialised ahead
   * of any invocation (0 releases them). Resolves when they have initialised or one failed to.
   */
  async provisionConcurrency(nameOrId: string, version: string, count: number): Promise<void> {
    const latest = this.getFunction(nameOrId);
    if (!latest) throw functionNotFound(nameOrId);
    const { config } = await this.resolve(latest, version);
    await this.poolFor(config, version).provision(count);
  }

  provisionedConcurrency(nameOrId: string, version: string): ProvisionedState | undefined {
    const fn = this.getFunction(nameOrId);
    return fn ? this.pools.get(`${fn.functionName}:${version}`)?.provisionedState() : undefined;
  }

  /** Reserved concurrency from the current configuration, else the local cap. */
  concurrencyLimit(functionName: string): number {
    const fn = this.getFunction(functionName);
    return fn?.reservedConcurrentExecutions ?? this.options.concurrencyCap ?? DEFAULTS.concurrencyCap;
  }

  /** Overrides reserved concurrency at run time (PutFunctionConcurrency); undefined removes it. */
  setReservedConcurrency(nameOrId: string, value: number | undefined): void {
    const fn = this.getFunction(nameOrId);
    if (!fn) throw functionNotFound(nameOrId);
    fn.reservedConcurrentExecutions = value;
  }

  private async createEnvironment(
    fn: FunctionConfig,
    version: string,
    ordinal: number,
    provisioned = false,
  ): Promise<ExecutionEnvironment> {
    if (version === '$LATEST' && fn.build) await this.ensureBuilt(fn);
    const optDir = await this.layerMaterializer?.(fn, version);
    const family = familyOf(fn.runtime);
    if (!family) throw functionNotRunnable(fn.functionName, `no runtime family runs ${fn.runtime}`);
    const debug = [...this.debugControllers].some((c) => c.shouldDebug(fn, version));
    let launch = await this.launcherFor(family).launch({ fn, optDir, debug });
    if (fn.durableConfig && !isLaunchFailure(launch)) launch = { ...launch, env: { ...launch.env, ...(await this.durableEnv()) } };
    return new ExecutionEnvironment({
      id: `${fn.functionName}:${version}:${ordinal}`,
      ordinal,
      fn,
      version,
      region: this.region,
      accountId: this.accountId,
      freeze: this.options.freeze ?? true,
      debug,
      family,
      launch,
      optDir,
      initializationType: provisioned ? 'provisioned-concurrency' : 'on-demand',
      // Only our Node bootstrap knows how to wait for a handover; a debugged start needs its own
      // flags; with external extensions Lambda starts the runtime after them, not before.
      spawnProcess:
        family.name === 'node' && !debug && this.options.prestart !== false && externalExtensions(optDir).length === 0
          ? this.prestarted.take
          : undefined,
      hostAllowlist: this.options.hostEnvAllowlist ?? DEFAULT_HOST_ALLOWLIST,
      hostEnv: this.options.awsProfile ? { ...process.env, AWS_PROFILE: this.options.awsProfile } : process.env,
      logStore: this.logStoreFor(fn),
      events: this,
    });
  }

  /**
   * What the durable execution SDK in a handler process needs to reach this runtime: the
   * endpoint, and credentials to sign with when the host passes none (any will do locally).
   */
  private async durableEnv(): Promise<ProcessLaunch['env']> {
    const env: ProcessLaunch['env'] = { AWS_ENDPOINT_URL_LAMBDA: await this.durableEndpointUrl() };
    if (!process.env.AWS_ACCESS_KEY_ID && !process.env.AWS_PROFILE) {
      env.AWS_ACCESS_KEY_ID = 'LAMBDALABLOCAL';
      env.AWS_SECRET_ACCESS_KEY = 'lambda-lab-local';
    }
    return env;
  }

  private launcherFor(family: RuntimeFamily): FamilyLauncher {
    let launcher = this.launchers.get(family);
    if (!launcher) {
      const options = this.options;
      launcher = family.launcher({
        // Read at each launch: settings may change while the runtime lives.
        get binaries() {
          return { ...options.nodeBinaries, ...options.pythonBinaries };
        },
        diagnostic: (level, message, runtimeVersion) =>
          this.emit('diagnostic', { level, message, ...(runtimeVersion && { runtimeVersion }) }),
        progress: (message, runtimeVersion) =>
          this.emit('diagnostic', { level: 'info', message, progress: true, ...(runtimeVersion && { runtimeVersion }) }),
      });
      this.launchers.set(family, launcher);
    }
    return launcher;
  }

  /** Builds an esbuild function's $LATEST code (once until its sources change); no-op for others. */
  ensureBuilt(fn: FunctionConfig): Promise<void> {
    if (!fn.build) return Promise.resolve();
    const existing = this.builds.get(fn.functionName);
    if (existing) return existing;
    const started = Date.now();
    const build = this.builder.build(fn).then(
      () => {
        const names = fn.build?.minify
          ? ' (unminified: Minify applies to deployed builds; locally the code stays readable for debugging)'
          : '';
        this.emit('diagnostic', { level: 'info', message: `${fn.logicalId}: built with esbuild in ${Date.now() - started} ms${names}` });
      },
      (err: Error) => {
        this.builds.delete(fn.functionName);
        throw err;
      },
    );
    this.builds.set(fn.functionName, build);
    return build;
  }

  /** Retires $LATEST environments when the function's code changes, rebuilding TypeScript first. */
  private watchCode(fn: FunctionConfig) {
    if (this.options.watchCode === false) return;
    const dir = fn.build?.sourceDir ?? fn.codeDir;
    const key = `${fn.functionName}\0${dir}`;
    if (this.watchers.has(key) || !fs.existsSync(dir)) return;
    let timer: NodeJS.Timeout | undefined;
    try {
      // Python writes __pycache__ into the code folder as it imports it: not a code change.
      const ignored = (file: string) => /(^|[\\/])(\.lambda-lab|\.git|node_modules[\\/]\.cache|__pycache__)([\\/]|$)/.test(file);
      const changed = () => {
        clearTimeout(timer);
        timer = setTimeout(() => void this.onCodeChanged(fn.functionName), SAVE_SETTLE_MS);
      };
      this.watchers.set(key, watchCode(dir, ignored, changed));
      // A build's inputs include the lockfile, often the workspace's, above the sources.
      const lockfile = fn.build && nearestLockfile(fn.build.sourceDir);
      if (lockfile && path.relative(dir, lockfile).startsWith('..')) this.watchers.set(`${key}\0${lockfile}`, watchFile(lockfile, changed));
    } catch (err) {
      this.emit('diagnostic', { level: 'warning', message: `${fn.logicalId}: cannot watch ${dir} for changes: ${(err as Error).message}` });
    }
  }

  private async onCodeChanged(functionName: string) {
    const fn = this.getFunction(functionName);
    if (!fn || this.disposed) return;
    this.builds.delete(fn.functionName);
    if (fn.build) {
      try {
        await this.ensureBuilt(fn);
      } catch (err) {
        this.emit('diagnostic', { level: 'error', message: (err as Error).message });
      }
    }
    // Even with no environment listed: one may be starting, and its code must be the new one.
    const pool = this.pools.get(`${fn.functionName}:$LATEST`);
    if (pool) {
      this.emit('diagnostic', { level: 'info', message: `${fn.logicalId}: code changed, replacing the environments of $LATEST` });
      await pool.replace('code-changed');
    }
  }

  /** After a template reload: environments of functions whose configuration changed are retired. */
  private async retireChanged(before: TemplateModel, after: TemplateModel) {
    const now = new Map(after.functions.map((f) => [f.functionName, JSON.stringify(f)]));
    const changed = before.functions.filter((f) => now.get(f.functionName) !== JSON.stringify(f));
    // Build properties are part of the configuration: the next invoke builds again.
    for (const f of changed) this.builds.delete(f.functionName);
    await Promise.all(changed.map((f) => this.stopFunction(f, 'config-changed', true)));
  }

  /** A function left its template: stop its environments, its watcher and its build context. */
  private async forgetFunction(fn: FunctionConfig) {
    for (const [key, watcher] of this.watchers) {
      if (key.startsWith(`${fn.functionName}\0`)) {
        watcher.close();
        this.watchers.delete(key);
      }
    }
    this.builds.delete(fn.functionName);
    await this.builder.forget(fn.logicalId);
    await this.stopFunction(fn, 'config-changed');
  }

  private async stopFunction(fn: FunctionConfig, reason: StopReason, gently = false) {
    for (const [key, pool] of this.pools) {
      if (!key.startsWith(`${fn.functionName}:`)) continue;
      await (gently ? pool.retire(reason) : pool.stopAll(reason));
    }
  }

  /** Retires one version's environments (busy ones after their invoke); the next invoke starts fresh. */
  async recycleEnvironments(nameOrId: string, version = '$LATEST', reason: StopReason = 'config-changed'): Promise<void> {
    const fn = this.getFunction(nameOrId);
    if (fn) await this.pools.get(`${fn.functionName}:${version}`)?.retire(reason);
  }

  environments(nameOrId?: string): EnvironmentInfo[] {
    const fn = nameOrId ? this.getFunction(nameOrId) : undefined;
    if (nameOrId && !fn) return [];
    return [...this.pools.entries()]
      .filter(([key]) => !fn || key.startsWith(`${fn.functionName}:`))
      .flatMap(([, pool]) =>
        pool
          .list()
          .filter((e) => e.alive)
          .map((e) => e.info()),
      );
  }

  /** Stops the environments of one function (or all). Running invokes fail as on a crash. */
  async stopEnvironments(nameOrId?: string): Promise<void> {
    if (!nameOrId) {
      await Promise.all([...this.pools.values()].map((p) => p.stopAll('stopped')));
      return;
    }
    const fn = this.getFunction(nameOrId);
    if (fn) await this.stopFunction(fn, 'stopped');
  }

  /** Mark an environment as debugged: no freezing, and the timeout suspended unless `suspendTimeout: false`. */
  setDebuggerAttached(environmentId: string, attached: boolean, opts: { suspendTimeout?: boolean } = {}): void {
    for (const pool of this.pools.values()) {
      pool
        .list()
        .find((e) => e.id === environmentId)
        ?.setDebuggerAttached(attached, opts);
    }
  }

  /** A debugger shows an environment stopped (`true`) or lets it run: InvokeResult.pausedMs reports the time apart. */
  setDebuggerPaused(environmentId: string, paused: boolean): void {
    for (const pool of this.pools.values())
      pool
        .list()
        .find((e) => e.id === environmentId)
        ?.setDebuggerPaused(paused);
  }

  addDebugController(controller: DebugController): { dispose(): void } {
    this.debugControllers.add(controller);
    return { dispose: () => this.debugControllers.delete(controller) };
  }

  setQualifierResolver(resolver: QualifierResolver | undefined): void {
    this.qualifierResolver = resolver;
  }

  setLayerMaterializer(materializer: LayerMaterializer | undefined): void {
    this.layerMaterializer = materializer;
  }

  private logStoreFor(fn: FunctionConfig): LogStore {
    const dir = path.join(this.stateDirFor(fn.templatePath), 'logs');
    let store = this.logStores.get(dir);
    if (!store) {
      store = new LogStore(dir, this.options.logRetention ?? DEFAULTS.logRetention);
      this.logStores.set(dir, store);
    }
    return store;
  }

  /** Persisted log streams of loaded functions. */
  readonly logs: LogReader = {
    listStreams: (functionName) => {
      const fn = this.getFunction(functionName);
      return fn ? this.logStoreFor(fn).listStreams(fn.functionName) : [];
    },
    readStream: (functionName, logStreamName) => {
      const fn = this.getFunction(functionName);
      return fn ? this.logStoreFor(fn).readStream(fn.functionName, logStreamName) : [];
    },
  };

  /**
   * Stops every environment and watcher; the runtime is unusable afterwards. Idle environments
   * first write out what their process still holds (a handler's last 50 MB of stdout).
   */
  async dispose(): Promise<void> {
    this.disposed = true;
    await this.durable.dispose();
    this.prestarted.dispose();
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
    await Promise.all([...this.pools.values()].map((p) => p.stopAll('stopped', { drain: true })));
    await this.durableEndpoint?.then(
      (e) => e.close(),
      () => undefined,
    );
    await this.builder.dispose();
  }
}

/** Lambda passes `{}` for an empty payload and refuses what is not JSON. */
function normalisePayload(payload: Buffer | string, limit: number): Buffer {
  const buf = typeof payload === 'string' ? Buffer.from(payload) : payload;
  if (buf.length > limit) throw requestTooLarge(buf.length, limit);
  const text = buf.toString();
  if (text.trim() === '') return Buffer.from('{}');
  try {
    JSON.parse(text);
  } catch (err) {
    throw invalidRequestContent(`Could not parse request body into json: ${(err as Error).message}`);
  }
  return buf;
}

/** The state folder ignores itself, so it never shows up in the user's git status. */
function ensureStateDir(dir: string) {
  fs.mkdirSync(dir, { recursive: true });
  const ignore = path.join(dir, '.gitignore');
  if (!fs.existsSync(ignore)) fs.writeFileSync(ignore, '*\n');
}
