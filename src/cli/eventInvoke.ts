// `lambda-lab invoke --invocation-type Event`: the function runs through the asynchronous
// queue (retries, event age, destinations, dead-letter queue) and the CLI reports each
// attempt and the outcome, then exits once every event, destination invokes included, is done.
import { AsyncInvokeQueue, attemptText, deliveryLines } from '../runtime/lambdaApi/asyncInvokeQueue';
import { EventInvokeConfigStore } from '../runtime/async/eventInvokeConfigStore';
import type { LocalRuntime } from '../runtime/localRuntime';
import { UsageError, type CliIO } from './cliCommand';

export async function invokeAsynchronously(
  runtime: LocalRuntime,
  io: CliIO,
  opts: { functionName: string; payload: string; qualifier?: string; count: number; stateDir: string; json: boolean },
): Promise<number> {
  // Configurations set through `serve`'s API apply here too; the queue itself lives as long as this command.
  const queue = new AsyncInvokeQueue(runtime, { configs: new EventInvokeConfigStore(() => runtime.templateModels(), opts.stateDir) });
  const fn = runtime.getFunction(opts.functionName)!;
  const mine = new Set<string>();
  let failed = false;
  queue.on('attempt', (report) => {
    io.stderr.write(`lambda-lab: ${report.event.functionName} event ${report.event.requestId}: ${attemptText(report)}\n`);
  });
  queue.on('outcome', ({ event, condition, deliveries }) => {
    if (mine.has(event.requestId) && condition !== 'Success') failed = true;
    if (opts.json) {
      const line = {
        requestId: event.requestId,
        functionName: event.functionName,
        condition,
        approximateInvokeCount: event.invokeCount,
        deliveries,
      };
      io.stdout.write(JSON.stringify(line) + '\n');
      return;
    }
    const sent = deliveryLines(deliveries);
    io.stdout.write(
      `${event.functionName} ${event.requestId}: ${condition} after ${event.invokeCount} invocation(s)${sent.map((s) => `\n  ${s}`).join('')}\n`,
    );
  });
  queue.on('dropped', ({ requestId }) => {
    if (mine.has(requestId)) failed = true;
  });
  try {
    for (let i = 0; i < opts.count; i++) {
      mine.add(await queue.enqueue({ functionName: fn.functionName, payload: Buffer.from(opts.payload), qualifier: opts.qualifier }));
    }
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  await queue.drain();
  return failed ? 1 : 0;
}

/** `--async-retry-delay-scale`: a number above 0. */
export function parseDelayScale(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!(n > 0) || !Number.isFinite(n))
    throw new UsageError(`--async-retry-delay-scale must be a number above 0 (e.g. 0.001), got "${value}"`);
  return n;
}
