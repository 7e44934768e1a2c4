// The `record` of each platform event the Telemetry API delivers (schema 2022-12-13), from
// what the execution environment knows at that point of its lifecycle.
import type { FunctionConfig } from '../functionConfig';
import type * as platformLog from '../logs/platformLog';
import type { RuntimeApiEvent, RuntimeApiOutcome } from './runtimeApiServer';

const INIT = { initializationType: 'on-demand', phase: 'init' } as const;

export const initStart = (fn: FunctionConfig, version: string) => ({
  ...INIT,
  runtimeVersion: `${fn.runtime.replace(/\.x$/, '')}.local`,
  runtimeVersionArn: 'local',
  functionName: fn.functionName,
  functionVersion: version,
});

export const initRuntimeDone = () => ({ ...INIT, status: 'success' });

export const initReport = (durationMs: number) => ({ ...INIT, status: 'success', metrics: { durationMs } });

export const start = (event: RuntimeApiEvent, version: string) => ({
  requestId: event.requestId,
  version,
  tracing: { type: 'X-Amzn-Trace-Id', value: event.traceId },
});

export function runtimeDone(o: RuntimeApiOutcome, durationMs: number) {
  const errorType = o.kind === 'error' ? o.errorType : o.kind === 'too-large' ? 'Function.ResponseSizeTooLarge' : undefined;
  return {
    requestId: o.requestId,
    status: o.kind === 'response' ? 'success' : 'failure',
    ...(errorType ? { errorType } : {}),
    metrics: { durationMs, producedBytes: o.kind === 'too-large' ? o.size : o.payload.length },
  };
}

/** `status` is the END line's (`success`, `error`, `timeout`); the record says `failure` for an error. */
export function report(requestId: string, status: string | undefined, m: platformLog.ReportMetrics) {
  return {
    requestId,
    status: m.status ?? (status === 'error' ? 'failure' : 'success'),
    ...(m.errorType ? { errorType: m.errorType } : {}),
    metrics: {
      durationMs: m.durationMs,
      billedDurationMs: m.billedDurationMs,
      memorySizeMB: m.memorySizeMB,
      maxMemoryUsedMB: m.maxMemoryUsedMB,
      ...(m.initDurationMs !== undefined ? { initDurationMs: m.initDurationMs } : {}),
    },
  };
}
