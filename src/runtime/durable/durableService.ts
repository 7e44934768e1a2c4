// Lambda's durable execution service, locally: starts executions when a durable function is
// invoked, answers the checkpoint and state operations the durable execution SDK calls from
// inside the handler, and the operations people and tools call (get, history, list, stop,
// callbacks). Each execution is driven by an ExecutionDriver in the process that owns it.
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import { conflict, invalidParameter, resourceNotFound } from '../errors/serviceErrors';
import type { FunctionConfig } from '../functionConfig';
import type { InvokeResult } from '../runtimeEvents';
import {
  decodeCallbackId,
  executionArn,
  parseExecutionArn,
  TERMINAL,
  type ErrorObject,
  type ExecutionRecord,
  type ExecutionStatus,
  type HistoryEvent,
  type Operation,
  type OperationUpdate,
} from './executionRecord';
import { ExecutionDriver, type DriverHost } from './executionDriver';
import { ExecutionStore, type InboxMessage } from './executionStore';
import { OperationLedger, type TimeScale } from './operationLedger';

export interface DurableServiceHost extends DriverHost {
  getFunction(nameOrId: string): FunctionConfig | undefined;
  functions(): FunctionConfig[];
  stateDirFor(templatePath: string): string;
  functionArn(fn: FunctionConfig, version: string): string;
}

export interface DurableServiceOptions {
  /** Multiplies the durations code asks for (waits, retry delays, callback timeouts): 1 real time, 0 no waiting. */
  timeScale?: number;
}

export interface StartRequest {
  fn: FunctionConfig;
  /** `$LATEST` or a version number (aliases are resolved before). */
  version: string;
  payload: string;
  /** DurableExecutionName: starting twice with one name and the same input gives the same execution. */
  name?: string;
}

const DEFAULT_RETENTION_DAYS = 14;
const DEFAULT_EXECUTION_TIMEOUT_S = 86_400;
const DAY_MS = 86_400_000;

export class DurableService {
  private readonly drivers = new Map<string, ExecutionDriver>();
  private readonly stores = new Map<string, ExecutionStore>();
  private readonly inboxWatchers = new Map<string, fs.FSWatcher>();
  private readonly listeners = new Set<(record: ExecutionRecord) => void>();
  readonly time: TimeScale;

  constructor(
    private readonly host: DurableServiceHost,
    options: DurableServiceOptions = {},
  ) {
    const scale = options.timeScale ?? 1;
    if (!(scale >= 0)) throw new Error(`The durable time scale must be a number ≥ 0 (1 real time, 0 no waiting), not ${scale}.`);
    this.time = { delayMs: (seconds) => seconds * 1000 * scale };
  }

  storeFor(fn: FunctionConfig): ExecutionStore {
    const dir = this.host.stateDirFor(fn.templatePath);
    let store = this.stores.get(dir);
    if (!store) this.stores.set(dir, (store = new ExecutionStore(dir)));
    return store;
  }

  /** Starts an execution and drives it; returns its driver (whenEnded() follows it). */
  async start(req: StartRequest): Promise<ExecutionDriver> {
    const { fn, version } = req;
    const store = this.storeFor(fn);
    const name = req.name ?? randomUUID();
    if (req.name) {
      const same = (await store.list(fn.functionName)).find((r) => r.DurableExecutionName === req.name);
      if (same) {
        if (same.InputPayload !== req.payload) {
          throw conflict(`A durable execution named ${req.name} already exists for ${fn.functionName} with a different input.`);
        }
        return this.drivers.get(same.DurableExecutionArn) ?? this.adopt(fn, same);
      }
    }
    const executionId = randomUUID();
    const functionArn = this.host.functionArn(fn, version);
    const record: ExecutionRecord = {
      DurableExecutionArn: executionArn(functionArn, name, executionId),
      DurableExecutionName: name,
      executionId,
      functionName: fn.functionName,
      FunctionArn: functionArn,
      version,
      Status: 'RUNNING',
      StartTimestamp: Date.now(),
      InputPayload: req.payload,
      executionTimeout: fn.durableConfig?.executionTimeout ?? DEFAULT_EXECUTION_TIMEOUT_S,
      retentionPeriodInDays: fn.durableConfig?.retentionPeriodInDays ?? DEFAULT_RETENTION_DAYS,
      operations: [],
      events: [],
      updatedOperationIds: [],
      checkpointToken: '',
      deadlines: [],
      invocations: 0,
    };
    OperationLedger.start(record);
    await store.claim(record);
    const driver = this.track(fn, record);
    await driver.save();
    driver.begin();
    return driver;
  }

  /** Resumes the running executions of the loaded functions that no live process drives. */
  async resume(): Promise<number> {
    let resumed = 0;
    for (const fn of this.host.functions()) {
      if (!fn.durableConfig) continue;
      for (const record of await this.storeFor(fn).list(fn.functionName)) {
        if (record.Status !== 'RUNNING' || this.drivers.has(record.DurableExecutionArn)) continue;
        if (
          await this.adopt(fn, record).then(
            (d) => d.running,
            () => false,
          )
        )
          resumed++;
      }
    }
    return resumed;
  }

  private async adopt(fn: FunctionConfig, listed: ExecutionRecord): Promise<ExecutionDriver> {
    const store = this.storeFor(fn);
    let record = listed;
    if (record.Status === 'RUNNING') {
      if (!(await store.claim(record))) {
        throw conflict(`Durable execution ${record.DurableExecutionArn} is driven by another Lambda Lab process.`);
      }
      // Read before the claim, it may be stale: whoever drove it until then may have ended it meanwhile.
      record = (await store.read(fn.functionName, record.executionId)) ?? record;
    }
    // A resume and a callback (or two resumes) may adopt the same execution at once: one driver.
    const already = this.drivers.get(record.DurableExecutionArn);
    if (already) return already;
    const driver = this.track(fn, record);
    driver.begin(true);
    return driver;
  }

  /** Calls `listener` with an execution this process drives whenever it changes; returns the unsubscribe. */
  onChange(listener: (record: ExecutionRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The execution an invocation running now belongs to, and which invocation of it (1 the first, then the replays). */
  invocation(requestId: string): { record: ExecutionRecord; number: number } | undefined {
    for (const d of this.drivers.values()) if (d.current?.requestId === requestId) return { record: d.record, number: d.current.number };
    return undefined;
  }

  private track(fn: FunctionConfig, record: ExecutionRecord): ExecutionDriver {
    const notify = (r: ExecutionRecord) => {
      for (const listener of this.listeners) listener(r);
    };
    const driver = new ExecutionDriver(record, this.storeFor(fn), this.host, this.time, notify);
    this.drivers.set(record.DurableExecutionArn, driver);
    void driver.whenEnded().then(() => this.drivers.delete(record.DurableExecutionArn));
    this.watchInbox(fn);
    return driver;
  }

  /** CheckpointDurableExecution: applies the SDK's updates, answers a new token and what changed. */
  async checkpoint(
    arn: string,
    token: string | undefined,
    updates: OperationUpdate[],
  ): Promise<{ token: string; operations: Operation[] }> {
    const driver = this.drivers.get(arn);
    if (!driver || !driver.running || !token || token !== driver.record.checkpointToken) throw invalidParameter('Invalid checkpoint token');
    const eventsBefore = driver.record.events.length;
    const touched = driver.ledger.apply(updates);
    const r = driver.record;
    // Changes the service made since the invocation started go out too. They stay marked for the
    // next invocation: an SDK that suspends anyway must find them on replay.
    const changed = [...new Set([...touched, ...r.updatedOperationIds])];
    r.checkpointToken = randomUUID();
    driver.afterCheckpoint(touched);
    await driver.journal([...new Set([...touched, r.operations[0].Id])], eventsBefore);
    return { token: r.checkpointToken, operations: changed.map((id) => driver.ledger.get(id)).filter((op): op is Operation => !!op) };
  }

  /** GetDurableExecutionState: the operations an invocation replays from, a page at a time. */
  state(arn: string, token: string | undefined, marker: number, maxItems: number): { operations: Operation[]; nextMarker?: string } {
    const driver = this.drivers.get(arn);
    if (!driver || !token || token !== driver.record.checkpointToken) throw invalidParameter('Invalid checkpoint token');
    const all = driver.ledger.replayState();
    const page = all.slice(marker, marker + maxItems);
    return marker + maxItems < all.length ? { operations: page, nextMarker: String(marker + maxItems) } : { operations: page };
  }

  /** The execution as this process knows it (live) or as it was last saved. */
  async get(arn: string): Promise<ExecutionRecord> {
    const live = this.drivers.get(arn)?.record;
    if (live) return live;
    const parsed = parseExecutionArn(arn);
    const fn = parsed && this.host.getFunction(parsed.functionName);
    const record = fn && parsed ? await this.storeFor(fn).read(fn.functionName, parsed.executionId) : undefined;
    if (!record || record.DurableExecutionArn !== arn) throw resourceNotFound(`Durable execution not found: ${arn}`);
    return record;
  }

  /** ListDurableExecutionsByFunction, newest first unless `reverse`. Expired executions are deleted on the way. */
  async list(
    fn: FunctionConfig,
    filter: { statuses?: ExecutionStatus[]; name?: string; versions?: string[] } = {},
  ): Promise<ExecutionRecord[]> {
    const store = this.storeFor(fn);
    const out: ExecutionRecord[] = [];
    for (const saved of await store.list(fn.functionName)) {
      const r = this.drivers.get(saved.DurableExecutionArn)?.record ?? saved;
      if (r.EndTimestamp && r.EndTimestamp + r.retentionPeriodInDays * DAY_MS < Date.now()) {
        await store.remove(r);
        continue;
      }
      if (filter.statuses?.length && !filter.statuses.includes(r.Status)) continue;
      // DurableExecutionName filters by containment, as Lambda documents it.
      if (filter.name && !r.DurableExecutionName.includes(filter.name)) continue;
      if (filter.versions && !filter.versions.includes(r.version)) continue;
      out.push(r);
    }
    return out.reverse();
  }

  async history(arn: string): Promise<HistoryEvent[]> {
    return (await this.get(arn)).events;
  }

  /** StopDurableExecution: the execution ends STOPPED; a running invocation's checkpoints are refused from now on. */
  async stop(arn: string, error: ErrorObject | undefined): Promise<number> {
    const record = await this.get(arn);
    if (TERMINAL.has(record.Status)) throw conflict(`Durable execution ${arn} has already ended (${record.Status}).`);
    const driver = this.drivers.get(arn) ?? (await this.adoptByArn(record));
    driver.ledger.finish('STOPPED', undefined, error ?? { ErrorType: 'Execution.Stopped', ErrorMessage: 'The execution was stopped.' });
    await driver.save();
    driver.end();
    return driver.record.EndTimestamp!;
  }

  /** SendDurableExecutionCallbackSuccess / Failure / Heartbeat. */
  async callback(message: InboxMessage): Promise<void> {
    const id = decodeCallbackId(message.callbackId);
    const fn = id && this.host.getFunction(id.functionName);
    if (!id || !fn) throw invalidParameter(`Unknown callback id ${message.callbackId.slice(0, 120)}.`);
    const store = this.storeFor(fn);
    let driver = [...this.drivers.values()].find(
      (d) => d.record.executionId === id.executionId && d.record.functionName === fn.functionName,
    );
    if (!driver) {
      const record = await store.read(fn.functionName, id.executionId);
      if (!record) throw resourceNotFound(`The callback's durable execution no longer exists (${message.callbackId.slice(0, 120)}).`);
      const op = record.operations.find((o) => o.Id === id.operationId);
      if (record.Status !== 'RUNNING' || op?.Status !== 'STARTED') throw callbackClosed();
      if (await store.ownerOf(record)) return store.post(fn.functionName, message);
      driver = await this.adopt(fn, record);
    }
    const op = driver.ledger.get(id.operationId);
    if (!op || op.Type !== 'CALLBACK' || op.CallbackDetails?.CallbackId !== message.callbackId)
      throw invalidParameter('Unknown callback id.');
    if (!driver.running || op.Status !== 'STARTED') throw callbackClosed();
    if (message.outcome === 'heartbeat') {
      const started = driver.record.events.find((e) => e.Id === op.Id && e.EventType === 'CallbackStarted');
      const seconds = (started?.CallbackStartedDetails as { HeartbeatTimeout?: number } | undefined)?.HeartbeatTimeout;
      if (seconds) driver.heartbeat(op, seconds);
      return;
    }
    driver.clearTimers(op.Id);
    if (message.outcome === 'succeed') driver.ledger.close(op, 'SUCCEEDED', message.result ?? '', undefined);
    else driver.ledger.close(op, 'FAILED', undefined, message.error ?? {});
    driver.changed([op.Id]);
    await driver.save();
  }

  /** After a callback: the execution it belongs to once settled, if this process drives it (else undefined). */
  async settle(callbackId: string): Promise<ExecutionRecord | undefined> {
    const id = decodeCallbackId(callbackId);
    const driver = id && [...this.drivers.values()].find((d) => d.record.executionId === id.executionId);
    if (!driver) return undefined;
    await driver.whenSettled();
    return driver.record;
  }

  private async adoptByArn(record: ExecutionRecord): Promise<ExecutionDriver> {
    const fn = this.host.getFunction(record.functionName);
    if (!fn) throw resourceNotFound(`Function not found: ${record.functionName}`);
    return this.adopt(fn, record);
  }

  /** Callbacks other processes (the CLI) leave for executions this process drives. */
  private watchInbox(fn: FunctionConfig): void {
    const store = this.storeFor(fn);
    const dir = store.inboxOf(fn.functionName);
    if (this.inboxWatchers.has(dir)) return;
    fs.mkdirSync(dir, { recursive: true });
    const drain = () =>
      void store.take(fn.functionName).then(async (messages) => {
        for (const m of messages)
          await this.callback(m).catch((err: Error) =>
            this.host.diagnostic(`${fn.logicalId}: callback from another process refused: ${err.message}`),
          );
      });
    const watcher = fs.watch(dir, drain);
    watcher.unref();
    this.inboxWatchers.set(dir, watcher);
    drain();
  }

  /** Lets go of every execution: they stay on disk, RUNNING, for the next Lambda Lab to resume. */
  async dispose(): Promise<void> {
    for (const w of this.inboxWatchers.values()) w.close();
    this.inboxWatchers.clear();
    await Promise.all([...this.drivers.values()].map((d) => d.dispose()));
    this.drivers.clear();
  }
}

const callbackClosed = () => invalidParameter('The callback is no longer open: it completed, timed out, or its execution ended.');

/** What a synchronous invoke of a durable function answers once its execution ends. */
export function executionInvokeResult(
  record: ExecutionRecord,
  requestId: string,
): Pick<InvokeResult, 'payload' | 'functionError' | 'requestId'> {
  if (record.Status === 'SUCCEEDED') return { requestId, payload: Buffer.from(record.Result ?? 'null') };
  const e = record.Error ?? {};
  const body = {
    errorType: e.ErrorType ?? record.Status,
    errorMessage: e.ErrorMessage ?? `The durable execution ended ${record.Status}`,
    trace: e.StackTrace ?? [],
  };
  return { requestId, payload: Buffer.from(JSON.stringify(body)), functionError: 'Unhandled' };
}
