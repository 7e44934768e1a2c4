// Asynchronous (Event) invokes as Lambda's event queue runs them: accepted events are kept
// on disk until done, run, retried after function errors (MaximumRetryAttempts, one then
// two minutes apart) and after throttles (growing back-off), dropped when older than
// MaximumEventAgeInSeconds, and their outcome sent to the OnSuccess/OnFailure destination
// and dead-letter queue. Timing comes from async/retryPolicy.ts. At most the runtime's local
// concurrency cap of one function's events run at once, whatever its reserved concurrency: a
// burst of events never starts more handler processes than the machine was set up for.
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { ASYNC_DIR } from '../async/destinationFiles';
import { DEFAULT_MAXIMUM_EVENT_AGE_S, DEFAULT_MAXIMUM_RETRY_ATTEMPTS } from '../async/eventInvokeConfig';
import { EventInvokeConfigStore, type StoredEventInvokeConfig } from '../async/eventInvokeConfigStore';
import { invocationRecord, type DestinationCondition } from '../async/invocationRecord';
import { deliverOutcome, type Delivery } from '../async/outcomeDelivery';
import { QueuedEventStore, type QueuedEvent, type UnreadableEvent } from '../async/queuedEventStore';
import { RetryPolicy } from '../async/retryPolicy';
import { LambdaServiceError } from '../errors/serviceErrors';
import type { FunctionConfig } from '../functionConfig';
import type { LocalRuntime } from '../localRuntime';
import { functionArn, parseFunctionName } from '../store/arns';

export type { QueuedEvent } from '../async/queuedEventStore';

export interface AsyncInvokeQueueOptions {
  /** Keeps accepted events in `<stateDir>/async/queue` across restarts; without it they live in memory only. */
  stateDir?: string;
  /** Shared with the EventInvokeConfig API operations; one is made when absent. */
  configs?: EventInvokeConfigStore;
  /** Multiplies retry delays and event ages (default: RuntimeOptions.asyncRetryDelayScale, else 1). */
  retryDelayScale?: number;
}

export interface AttemptReport {
  event: QueuedEvent;
  kind: 'success' | 'function-error' | 'throttled';
  /** The error type and message of a failed attempt. */
  detail?: string;
  /** When the event runs again, if it does. */
  retryInMs?: number;
}

export interface OutcomeReport {
  event: QueuedEvent;
  condition: DestinationCondition;
  deliveries: Delivery[];
}

export interface DroppedReport {
  requestId: string;
  functionName?: string;
  reason: string;
  /** Where the event was kept. */
  file?: string;
}

interface QueueEvents {
  attempt: [AttemptReport];
  outcome: [OutcomeReport];
  dropped: [DroppedReport];
}

export class AsyncInvokeQueue extends EventEmitter<QueueEvents> {
  readonly configs: EventInvokeConfigStore;
  readonly policy: RetryPolicy;
  private readonly store: QueuedEventStore | undefined;
  private readonly running = new Set<Promise<void>>();
  private readonly closing = new AbortController();
  /** Per function: events running now, and those waiting for one of them to end. */
  private readonly active = new Map<string, { count: number; waiting: (() => void)[] }>();

  constructor(
    private readonly runtime: LocalRuntime,
    options: AsyncInvokeQueueOptions = {},
  ) {
    super();
    this.configs = options.configs ?? new EventInvokeConfigStore(() => runtime.templateModels(), options.stateDir);
    this.policy = new RetryPolicy(options.retryDelayScale ?? runtime.options.asyncRetryDelayScale ?? 1);
    this.store = options.stateDir
      ? new QueuedEventStore(join(options.stateDir, ASYNC_DIR, 'queue'), join(options.stateDir, ASYNC_DIR, 'dropped'))
      : undefined;
  }

  /**
   * Re-drives the events a previous run left queued, except those another live queue on this
   * folder runs (their claims); reports those that could not be read back. May be called again
   * to take over events whose queue has gone since.
   */
  async start(): Promise<{ redriven: QueuedEvent[]; unreadable: UnreadableEvent[] }> {
    if (!this.store || this.closing.signal.aborted) return { redriven: [], unreadable: [] };
    const { events, unreadable } = await this.store.load();
    for (const u of unreadable) {
      this.report({ requestId: u.file, reason: `unreadable queued event (${u.reason})`, file: u.file });
    }
    const redriven: QueuedEvent[] = [];
    for (const listed of events) {
      if (this.closing.signal.aborted) break;
      const event = await this.store.claim(listed.requestId);
      if (!event) continue;
      redriven.push(event);
      this.track(event);
    }
    return { redriven, unreadable };
  }

  /** Accepts an event once it is safely queued; resolves with its request id. */
  async enqueue(input: { functionName: string; payload: Buffer; qualifier?: string; requestId?: string }): Promise<string> {
    const now = Date.now();
    const event: QueuedEvent = {
      requestId: input.requestId ?? randomUUID(),
      functionName: input.functionName,
      payload: input.payload,
      enqueuedAt: now,
      invokeCount: 0,
      throttles: 0,
      notBefore: now,
    };
    if (input.qualifier) event.qualifier = input.qualifier;
    // Claimed before it is on disk, so that a queue starting on this folder never runs it too.
    await this.store?.claimNew(event.requestId);
    await this.store?.save(event);
    this.track(event);
    return event.requestId;
  }

  get pending(): number {
    return this.running.size;
  }

  /** Resolves once every accepted event is done, including the destination invokes they cause. */
  async drain(): Promise<void> {
    while (this.running.size) await Promise.all([...this.running]);
  }

  /**
   * Stops retrying and starts nothing new; returns how many events are not done. With a
   * state folder they stay queued on disk and run on the next start (an attempt cut short
   * by the shutdown runs again); without one they are lost, and this says so.
   */
  close(): number {
    const left = this.running.size;
    this.closing.abort();
    if (!left) this.store?.close();
    if (left) {
      this.runtime.emit('diagnostic', {
        level: 'warning',
        message: this.store
          ? `${left} asynchronous event(s) not done are kept in ${this.store.dir}; they run again when Lambda Lab serves this template next`
          : `${left} asynchronous event(s) not done are dropped: this queue is not persisted`,
      });
    }
    return left;
  }

  private track(event: QueuedEvent): void {
    const run = this.run(event)
      .catch((err: Error) =>
        this.report({ requestId: event.requestId, functionName: event.functionName, reason: `queue failure: ${err.message}` }),
      )
      // Done or stopped: either way another queue may now take it (a finished event has no file left to take).
      .then(() => this.store?.release(event.requestId))
      .catch(() => undefined)
      .finally(() => {
        this.running.delete(run);
        if (this.closing.signal.aborted && !this.running.size) this.store?.close();
      });
    this.running.add(run);
  }

  private async run(event: QueuedEvent): Promise<void> {
    const signal = this.closing.signal;
    // Let the 202 go out before the invoke starts, as the queue decouples them in Lambda.
    await new Promise((ok) => setImmediate(ok));
    while (!signal.aborted) {
      await sleep(event.notBefore - Date.now(), signal);
      if (signal.aborted) return;
      const fn = this.runtime.getFunction(event.functionName);
      if (!fn) {
        await this.drop(event, `function ${event.functionName} is no longer defined by a loaded template`);
        return;
      }
      const config = await this.configs.get(fn.functionName, event.qualifier ?? '$LATEST');
      const maxAge = this.policy.maxAgeMs(config?.MaximumEventAgeInSeconds ?? DEFAULT_MAXIMUM_EVENT_AGE_S);
      if (Date.now() - event.enqueuedAt >= maxAge) {
        await this.finish(event, fn, 'EventAgeExceeded', config);
        return;
      }
      // Lambda's documented switch: reserved concurrency 0 sends new events to the DLQ or
      // OnFailure destination without running or retrying them.
      if (fn.reservedConcurrentExecutions === 0) {
        await this.finish(event, fn, 'RetriesExhausted', config);
        return;
      }
      let result;
      const release = await this.slot(fn.functionName);
      try {
        result = await this.runtime.invoke(fn.functionName, event.payload, {
          qualifier: event.qualifier,
          requestId: event.requestId,
          invocationType: 'Event',
        });
      } catch (err) {
        release();
        if (signal.aborted) return;
        const retried = err instanceof LambdaServiceError && (err.statusCode === 429 || err.statusCode >= 500);
        if (!retried) {
          await this.drop(event, `${fn.functionName} cannot run it: ${(err as Error).message}`);
          return;
        }
        event.throttles++;
        const wait = this.policy.afterThrottle(event.throttles);
        event.notBefore = Date.now() + wait;
        await this.store?.save(event);
        this.attempt({ event, kind: 'throttled', detail: `${err.type}: ${err.message}`, retryInMs: wait });
        continue;
      }
      release();
      // Cut short by shutdown: the attempt doesn't count, the event runs again on the next start.
      if (signal.aborted) return;
      event.invokeCount++;
      event.last = { executedVersion: result.version, payload: result.payload };
      if (result.functionError) event.last.functionError = result.functionError;
      if (!result.functionError) {
        this.attempt({ event, kind: 'success' });
        await this.finish(event, fn, 'Success', config);
        return;
      }
      const detail = errorSummary(result.payload);
      if (event.invokeCount > (config?.MaximumRetryAttempts ?? DEFAULT_MAXIMUM_RETRY_ATTEMPTS)) {
        this.attempt({ event, kind: 'function-error', detail });
        await this.finish(event, fn, 'RetriesExhausted', config);
        return;
      }
      const wait = this.policy.afterFunctionError(event.invokeCount);
      event.notBefore = Date.now() + wait;
      await this.store?.save(event);
      this.attempt({ event, kind: 'function-error', detail, retryInMs: wait });
    }
  }

  private async slot(functionName: string): Promise<() => void> {
    let state = this.active.get(functionName);
    if (!state) this.active.set(functionName, (state = { count: 0, waiting: [] }));
    const own = state;
    if (own.count >= this.runtime.concurrencyCap) await new Promise<void>((ok) => own.waiting.push(ok));
    else own.count++;
    return () => {
      const next = own.waiting.shift();
      if (next)
        next(); // the slot passes straight to the next event
      else if (--own.count === 0) this.active.delete(functionName);
    };
  }

  private async finish(
    event: QueuedEvent,
    fn: FunctionConfig,
    condition: DestinationCondition,
    config: StoredEventInvokeConfig | undefined,
  ): Promise<void> {
    const arnContext = { region: this.runtime.region, accountId: this.runtime.accountId };
    const record = invocationRecord({
      requestId: event.requestId,
      functionArn: functionArn(arnContext, event.functionName, event.qualifier ?? '$LATEST'),
      condition,
      invokeCount: event.invokeCount,
      payload: event.payload,
      last: event.last,
    });
    const destinations = config?.DestinationConfig;
    const destination = condition === 'Success' ? destinations?.OnSuccess?.Destination : destinations?.OnFailure?.Destination;
    const deliveries = await deliverOutcome(
      {
        ...arnContext,
        stateDir: this.runtime.stateDirFor(fn.templatePath),
        invokeFunction: async (arn, payload) => {
          const target = parseFunctionName(arn);
          if (!this.runtime.getFunction(target.name)) return undefined;
          return this.enqueue({ functionName: target.name, qualifier: target.qualifier, payload });
        },
      },
      {
        record,
        destination,
        deadLetter: this.configs.deadLetterTarget(event.functionName),
        payload: event.payload,
        errorMessage: condition === 'EventAgeExceeded' ? 'Event age exceeded' : errorSummary(event.last?.payload ?? Buffer.alloc(0)),
      },
    );
    await this.store?.remove(event.requestId);
    const where = deliveries.map(
      (d) =>
        `${d.target} ${d.arn}${d.error ? ` failed: ${d.error}` : d.requestId ? ` (invoke ${d.requestId})` : d.file ? ` (${d.file})` : ''}`,
    );
    this.runtime.emit('diagnostic', {
      level: deliveries.some((d) => d.error) ? 'warning' : 'info',
      message: `Event ${event.requestId} of ${event.functionName}: ${condition} after ${event.invokeCount} invocation(s)${where.length ? `; sent to ${where.join(', ')}` : ''}`,
    });
    this.emit('outcome', { event, condition, deliveries });
  }

  private attempt(report: AttemptReport): void {
    const { event } = report;
    if (report.kind !== 'success') {
      this.runtime.emit('diagnostic', {
        level: 'info',
        message: `Event ${event.requestId} of ${event.functionName}: ${attemptText(report)}`,
      });
    }
    this.emit('attempt', report);
  }

  private async drop(event: QueuedEvent, reason: string): Promise<void> {
    const file = this.store ? await this.store.drop(event, reason) : undefined;
    this.report({ requestId: event.requestId, functionName: event.functionName, reason, file });
  }

  private report(dropped: DroppedReport): void {
    this.runtime.emit('diagnostic', {
      level: 'warning',
      message: `Event ${dropped.requestId}${dropped.functionName ? ` of ${dropped.functionName}` : ''} dropped: ${dropped.reason}${dropped.file ? ` (kept in ${dropped.file})` : ''}`,
    });
    this.emit('dropped', dropped);
  }
}

/** `Error: boom` from a function error payload (errorType/errorMessage), else its text. */
function errorSummary(payload: Buffer): string {
  const text = payload.toString('utf8');
  try {
    const body = JSON.parse(text) as { errorType?: unknown; errorMessage?: unknown };
    if (typeof body.errorMessage === 'string')
      return typeof body.errorType === 'string' ? `${body.errorType}: ${body.errorMessage}` : body.errorMessage;
  } catch {
    // not JSON: the text itself
  }
  return text.slice(0, 1024);
}

/** What an attempt did, as the CLI, the extension and diagnostics print it. */
export function attemptText({ event, kind, detail, retryInMs }: AttemptReport): string {
  const what =
    kind === 'success'
      ? `attempt ${event.invokeCount} succeeded`
      : kind === 'throttled'
        ? 'throttled'
        : `attempt ${event.invokeCount} failed`;
  return `${what}${detail ? ` (${detail})` : ''}${retryInMs !== undefined ? `; retrying in ${formatMs(retryInMs)}` : ''}`;
}

/** Where an outcome's record went, one line per destination. */
export function deliveryLines(deliveries: Delivery[]): string[] {
  return deliveries.map(
    (d) => `${d.target} ${d.arn}: ${d.error ? `failed (${d.error})` : d.requestId ? `invoked (${d.requestId})` : d.file}`,
  );
}

function formatMs(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms >= 1000) return `${Math.round(ms / 100) / 10} s`;
  return `${Math.round(ms)} ms`;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((done) => {
    const timer = setTimeout(finish, ms);
    function finish() {
      clearTimeout(timer);
      signal.removeEventListener('abort', finish);
      done();
    }
    signal.addEventListener('abort', finish, { once: true });
  });
}
