// Asynchronous (Event) invokes: accepted with 202, queued, run once each. As Lambda's event
// queue does, throttled attempts wait and try again (a throttle is not a run); function
// errors are not retried. The queue runs at most the runtime's local concurrency cap of one
// function's events at once, whatever its reserved concurrency: a burst of events never starts
// more handler processes than the machine was set up for.
import { randomUUID } from 'node:crypto';
import { LambdaServiceError } from '../errors/serviceErrors';
import type { LocalRuntime } from '../localRuntime';

export interface QueuedEvent {
  functionName: string;
  payload: Buffer;
  qualifier?: string;
  requestId: string;
}

const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 5_000;

export class AsyncInvokeQueue {
  private readonly running = new Set<Promise<void>>();
  /** Per function: events running now, and those waiting for one of them to end. */
  private readonly active = new Map<string, { count: number; waiting: (() => void)[] }>();
  private closed = false;

  constructor(private readonly runtime: LocalRuntime) {}

  /** Accepts an event; returns its request id. */
  enqueue(event: Omit<QueuedEvent, 'requestId'> & { requestId?: string }): string {
    const queued: QueuedEvent = { ...event, requestId: event.requestId ?? randomUUID() };
    const run = this.run(queued).finally(() => this.running.delete(run));
    this.running.add(run);
    return queued.requestId;
  }

  get pending(): number {
    return this.running.size;
  }

  /** Resolves once every accepted event has run (or was given up at close). */
  async drain(): Promise<void> {
    while (this.running.size) await Promise.all([...this.running]);
  }

  /** Stops retrying throttled events; running ones finish. */
  close(): void {
    this.closed = true;
  }

  private async run(event: QueuedEvent): Promise<void> {
    // Let the 202 go out before the invoke starts, as the queue decouples them in Lambda.
    await new Promise((ok) => setImmediate(ok));
    const release = await this.slot(event.functionName);
    try {
      await this.attempt(event);
    } finally {
      release();
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
      if (next) next(); // the slot passes straight to the next event
      else if (--own.count === 0) this.active.delete(functionName);
    };
  }

  private async attempt(event: QueuedEvent): Promise<void> {
    for (let delay = FIRST_RETRY_MS; ; delay = Math.min(delay * 2, MAX_RETRY_MS)) {
      try {
        await this.runtime.invoke(event.functionName, event.payload, {
          qualifier: event.qualifier,
          requestId: event.requestId,
          invocationType: 'Event',
        });
        return;
      } catch (err) {
        const throttled = err instanceof LambdaServiceError && err.statusCode === 429;
        if (!throttled || this.closed) {
          this.runtime.emit('diagnostic', {
            level: 'error',
            message: `Event invoke ${event.requestId} of ${event.functionName} ${throttled ? 'dropped at shutdown while throttled' : `failed: ${(err as Error).message}`}`,
          });
          return;
        }
        await new Promise((ok) => setTimeout(ok, delay));
      }
    }
  }
}
