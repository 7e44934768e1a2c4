// Asynchronous (Event) invokes from the editor: one event queue per template state folder
// (retries, event age, destinations, dead-letter queue, kept on disk), whose attempts and
// outcomes are printed as `lambda-lab invoke --invocation-type Event` prints them. Events an
// earlier window or a stopped `serve` left queued are taken over through the queue's claims,
// so that a Lambda API server on the same folder never runs them too.
import * as vscode from 'vscode';
import {
  AsyncInvokeQueue,
  attemptText,
  deliveryLines,
  type DroppedReport,
  type OutcomeReport,
} from '../runtime/lambdaApi/asyncInvokeQueue';
import type { FunctionConfig } from '../runtime/functionConfig';
import type { LocalRuntime } from '../runtime/localRuntime';
import type { AsyncRecords } from './asyncRecords';
import type { FailureReports } from './failureReports';

export type AsyncEnd = { outcome: OutcomeReport } | { dropped: DroppedReport };

export class AsyncInvoker implements vscode.Disposable {
  private readonly queues = new Map<string, AsyncInvokeQueue>();
  private readonly waiting = new Map<string, (end: AsyncEnd) => void>();
  private readonly starting = new Set<AsyncInvokeQueue>();
  private readonly subscription: vscode.Disposable;
  private closed = false;
  readonly output = vscode.window.createOutputChannel('Lambda Lab: Async Invokes');

  constructor(
    private readonly runtime: LocalRuntime,
    private readonly records: AsyncRecords,
    private readonly failures: FailureReports,
  ) {
    this.subscription = records.onDidChange(() => this.takeOver());
  }

  /** Runs the queued events of every folder that no live queue (another window, a server) holds. */
  private takeOver(): void {
    if (this.closed) return;
    for (const stateDir of this.records.queueStateDirs()) {
      const queue = this.queueFor(stateDir);
      if (this.starting.has(queue)) continue;
      this.starting.add(queue);
      void queue
        .start()
        .then(({ redriven }) => {
          for (const event of redriven) this.print(`${event.functionName} event ${event.requestId}: taken over from the queue on disk`);
        })
        .catch((err: Error) => this.print(`could not take over the events queued in ${stateDir}: ${err.message}`))
        .finally(() => this.starting.delete(queue));
    }
  }

  /**
   * Queues an Event invoke; resolves with its request id once accepted (Lambda's 202), and
   * `end` with how it finished, destination invokes aside.
   */
  async invoke(fn: FunctionConfig, payload: string, qualifier?: string): Promise<{ requestId: string; end: Promise<AsyncEnd> }> {
    const queue = this.queueFor(this.runtime.stateDirFor(fn.templatePath));
    let ended!: (end: AsyncEnd) => void;
    const end = new Promise<AsyncEnd>((resolve) => (ended = resolve));
    const requestId = await queue.enqueue({ functionName: fn.functionName, payload: Buffer.from(payload), qualifier });
    this.waiting.set(requestId, ended);
    this.print(`${fn.functionName} event ${requestId}: queued${qualifier ? ` (${qualifier})` : ''}`);
    void this.records.reload();
    return { requestId, end };
  }

  /** A queue with the current retry delay scale: an idle queue is replaced when the setting changed. */
  private queueFor(stateDir: string): AsyncInvokeQueue {
    const scale = this.runtime.options.asyncRetryDelayScale ?? 1;
    const existing = this.queues.get(stateDir);
    if (existing && (existing.policy.scale === scale || existing.pending)) return existing;
    existing?.close();
    const queue = new AsyncInvokeQueue(this.runtime, { stateDir, retryDelayScale: scale });
    queue.on('attempt', (report) => {
      this.print(`${report.event.functionName} event ${report.event.requestId}: ${attemptText(report)}`);
      void this.records.reload();
    });
    queue.on('outcome', (outcome) => {
      const { event, condition, deliveries } = outcome;
      const sent = deliveryLines(deliveries).map((line) => `\n  ${line}`);
      this.print(`${event.functionName} ${event.requestId}: ${condition} after ${event.invokeCount} invocation(s)${sent.join('')}`);
      if (condition !== 'Success') {
        const where = deliveries.map((d) => d.target).join(', ');
        const last = event.last?.functionError ? `; last error: ${errorText(event.last.payload)}` : '';
        this.failures.asyncFailed(
          event.functionName,
          `${condition} after ${event.invokeCount} attempt(s)${where ? `, sent to ${where}` : ''}${last}`,
          event.requestId,
          () => this.output.show(true),
        );
      }
      this.settle(event.requestId, { outcome });
    });
    queue.on('dropped', (dropped) => {
      this.print(
        `${dropped.functionName ?? ''} event ${dropped.requestId}: dropped, ${dropped.reason}${dropped.file ? ` (kept in ${dropped.file})` : ''}`,
      );
      if (dropped.functionName)
        this.failures.asyncFailed(dropped.functionName, `dropped, ${dropped.reason}`, dropped.requestId, () => this.output.show(true));
      this.settle(dropped.requestId, { dropped });
    });
    this.queues.set(stateDir, queue);
    return queue;
  }

  private settle(requestId: string, end: AsyncEnd): void {
    this.waiting.get(requestId)?.(end);
    this.waiting.delete(requestId);
    void this.records.reload();
  }

  private print(line: string): void {
    this.output.appendLine(`${new Date().toISOString()} ${line}`);
  }

  /**
   * Stops retrying: events not done stay queued on disk for the next `serve` or Lambda API
   * server. Before the runtime goes, or an attempt cut short would count as a failure.
   */
  close(): void {
    this.closed = true;
    for (const queue of this.queues.values()) queue.close();
    this.queues.clear();
  }

  dispose(): void {
    this.subscription.dispose();
    this.close();
    this.output.dispose();
  }
}

function errorText(payload: Buffer): string {
  try {
    const body = JSON.parse(payload.toString('utf8')) as { errorType?: unknown; errorMessage?: unknown };
    if (typeof body.errorMessage === 'string')
      return `${typeof body.errorType === 'string' ? `${body.errorType}: ` : ''}${body.errorMessage}`;
  } catch {
    // not JSON: the text itself
  }
  return payload.toString('utf8').slice(0, 200);
}
