// The runtime's front door: load templates, invoke functions, watch environments.
// Extension, CLI, debug adapter and API server all hold one of these.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startDurableEndpoint, type DurableEndpoint } from './lambdaApi/durableEndpoint';
import { DurableService, executionInvokeResult } from './durable/durableService';
import { functionErrorObject } from './durable/executionDriver';
import { CodeReloader } from './codeReloader';
import type { ProcessLaunch } from './families/runtimeFamily';
import { EnvironmentFactory } from './environmentFactory';
import { FunctionCatalogue } from './functionCatalogue';
import type { FunctionConfig, TemplateModel, UnsupportedFunction } from './functionConfig';
import { functionNotRunnable, functionNotFound } from './errors/serviceErrors';
import { MAX_ASYNC_PAYLOAD, MAX_SYNC_PAYLOAD, normalisePayload, type JsonPayload } from './invokePayload';
import { LogStore, type LogStreamInfo } from './logs/logStore';
import type { ProvisionedState } from './pool/environmentPool';
import { FunctionPools } from './pool/functionPools';
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

export { MAX_ASYNC_PAYLOAD, MAX_SYNC_PAYLOAD } from './invokePayload';

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
  private readonly catalogue = new FunctionCatalogue();
  private readonly pools: FunctionPools;
  private readonly reloader: CodeReloader;
  private readonly debugControllers = new Set<DebugController>();
  private qualifierResolver: QualifierResolver | undefined;
  private layerMaterializer: LayerMaterializer | undefined;
  private readonly logStores = new Map<string, LogStore>();
  private readonly factory: EnvironmentFactory;
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
    this.pools = new FunctionPools({
      limit: (functionName) => this.concurrencyLimit(functionName),
      idleTimeoutMs: () => this.options.idleTimeoutMs ?? DEFAULTS.idleTimeoutMs,
      create: (fn, version, ordinal, provisioned) => this.factory.create(fn, version, ordinal, provisioned),
    });
    this.factory = new EnvironmentFactory({
      options,
      events: this,
      region: () => this.region,
      accountId: () => this.accountId,
      ensureBuilt: (fn) => this.reloader.ensureBuilt(fn),
      layerMaterializer: () => this.layerMaterializer,
      shouldDebug: (fn, version) => [...this.debugControllers].some((c) => c.shouldDebug(fn, version)),
      durableEnv: () => this.durableEnv(),
      logStoreFor: (fn) => this.logStoreFor(fn),
    });
    this.reloader = new CodeReloader(
      {
        getFunction: (name) => this.getFunction(name),
        diagnostic: (event) => this.emit('diagnostic', event),
        replaceLatest: async (fn) => {
          // Even with no environment listed: one may be starting, and its code must be the new one.
          const pool = this.pools.get(fn.functionName, '$LATEST');
          if (!pool) return;
          this.emit('diagnostic', { level: 'info', message: `${fn.logicalId}: code changed, replacing the environments of $LATEST` });
          await pool.replace('code-changed');
        },
      },
      options.watchCode !== false,
    );
    // Every view, the debug adapter and each debugged environment subscribe: more than Node's default 10.
    this.setMaxListeners(50);
    // One listener for every environment (one each would pass the limit above with 50 of them).
    this.on('environmentStopped', (info) => this.pools.forget(info));
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
    const previous = this.catalogue.set(file, model);
    if (previous) {
      await this.retireChanged(previous, model);
      const kept = new Set(model.functions.map((f) => f.functionName));
      await Promise.all(previous.functions.filter((f) => !kept.has(f.functionName)).map((f) => this.forgetFunction(f)));
    }
    for (const fn of model.functions) this.reloader.watch(fn);
    this.emit('templateLoaded', model);
    this.emit('functionsChanged', this.functions());
    return model;
  }

  /** Forgets a template's functions and stops their environments. */
  async unloadTemplate(templatePath: string): Promise<void> {
    const file = path.resolve(templatePath);
    const model = this.catalogue.delete(file);
    if (!model) return;
    await Promise.all(model.functions.map((fn) => this.forgetFunction(fn)));
    this.emit('functionsChanged', this.functions());
  }

  templateModels(): TemplateModel[] {
    return this.catalogue.models();
  }

  /** Every function of every loaded template. */
  functions(): FunctionConfig[] {
    return this.catalogue.functions();
  }

  unsupportedFunctions(): UnsupportedFunction[] {
    return this.catalogue.unsupported();
  }

  /** By logical id or FunctionName (also accepts a function ARN, with or without qualifier). */
  getFunction(nameOrId: string): FunctionConfig | undefined {
    return this.catalogue.get(nameOrId);
  }

  /** Synchronous invoke. Function errors resolve (functionError set); service errors reject with LambdaServiceError. */
  async invoke(nameOrId: string, payload: Buffer | string | JsonPayload, opts: InvokeOptions = {}): Promise<InvokeResult> {
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
    return this.pools
      .poolFor(config, version)
      .invoke({
        requestId: opts.requestId ?? crypto.randomUUID(),
        payload: body,
        clientContext: opts.clientContext,
        ...(opts.invocationType === 'Event' && { invocationType: 'Event' as const }),
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
      durableExecutionArn: record.DurableExecutionArn,
    };
  }

  /** One plain invocation of a version (a durable execution's replay): the durable envelope in, the SDK's status out. */
  async invokeVersion(nameOrId: string, version: string, payload: Buffer, requestId: string): Promise<InvokeResult> {
    const latest = this.getFunction(nameOrId);
    if (!latest) throw functionNotFound(nameOrId);
    const config = version === '$LATEST' ? latest : (await this.resolve(latest, version)).config;
    return this.pools.poolFor(config, version).invoke({ requestId, payload });
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

  /**
   * Provisioned concurrency of one published version: `count` environments initialised ahead
   * of any invocation (0 releases them). Resolves when they have initialised or one failed to.
   */
  async provisionConcurrency(nameOrId: string, version: string, count: number): Promise<void> {
    const latest = this.getFunction(nameOrId);
    if (!latest) throw functionNotFound(nameOrId);
    const { config } = await this.resolve(latest, version);
    await this.pools.provision(config, version, count);
  }

  provisionedConcurrency(nameOrId: string, version: string): ProvisionedState | undefined {
    const fn = this.getFunction(nameOrId);
    return fn ? this.pools.provisionedState(fn.functionName, version) : undefined;
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
    this.pools.enforceLimit(fn.functionName);
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

  /** Builds an esbuild function's $LATEST code (once until its sources change); no-op for others. */
  ensureBuilt(fn: FunctionConfig): Promise<void> {
    return this.reloader.ensureBuilt(fn);
  }

  /** After a template reload: environments of functions whose configuration changed are retired. */
  private async retireChanged(before: TemplateModel, after: TemplateModel) {
    const now = new Map(after.functions.map((f) => [f.functionName, JSON.stringify(f)]));
    const changed = before.functions.filter((f) => now.get(f.functionName) !== JSON.stringify(f));
    // Build properties are part of the configuration: the next invoke builds again.
    for (const f of changed) this.reloader.invalidate(f.functionName);
    await Promise.all(changed.map((f) => this.pools.stopFunction(f.functionName, 'config-changed', true)));
  }

  /** A function left its template: stop its environments, its watcher and its build context. */
  private async forgetFunction(fn: FunctionConfig) {
    await this.reloader.forget(fn);
    await this.pools.stopFunction(fn.functionName, 'config-changed');
  }

  /** Retires one version's environments (busy ones after their invoke); the next invoke starts fresh. */
  async recycleEnvironments(nameOrId: string, version = '$LATEST', reason: StopReason = 'config-changed'): Promise<void> {
    const fn = this.getFunction(nameOrId);
    if (fn) await this.pools.get(fn.functionName, version)?.retire(reason);
  }

  environments(nameOrId?: string): EnvironmentInfo[] {
    const fn = nameOrId ? this.getFunction(nameOrId) : undefined;
    if (nameOrId && !fn) return [];
    return this.pools.environments(fn?.functionName);
  }

  /** Stops the environments of one function (or all). Running invokes fail as on a crash. */
  async stopEnvironments(nameOrId?: string): Promise<void> {
    if (!nameOrId) return this.pools.stopAll('stopped');
    const fn = this.getFunction(nameOrId);
    if (fn) await this.pools.stopFunction(fn.functionName, 'stopped');
  }

  /** Mark an environment as debugged: no freezing, and the timeout suspended unless `suspendTimeout: false`. */
  setDebuggerAttached(environmentId: string, attached: boolean, opts: { suspendTimeout?: boolean } = {}): void {
    this.pools.find(environmentId)?.setDebuggerAttached(attached, opts);
  }

  /** A debugger shows an environment stopped (`true`) or lets it run: InvokeResult.pausedMs reports the time apart. */
  setDebuggerPaused(environmentId: string, paused: boolean): void {
    this.pools.find(environmentId)?.setDebuggerPaused(paused);
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
    this.factory.dispose();
    this.reloader.close();
    await this.pools.stopAll('stopped', { drain: true });
    await this.durableEndpoint?.then(
      (e) => e.close(),
      () => undefined,
    );
    await this.reloader.dispose();
  }
}

/** The state folder ignores itself, so it never shows up in the user's git status. */
function ensureStateDir(dir: string) {
  fs.mkdirSync(dir, { recursive: true });
  const ignore = path.join(dir, '.gitignore');
  if (!fs.existsSync(ignore)) fs.writeFileSync(ignore, '*\n');
}
