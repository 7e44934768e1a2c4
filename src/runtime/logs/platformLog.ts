// The lines the Lambda platform itself writes to a log stream (INIT_START, INIT_REPORT, START,
// END, REPORT, timeouts, runtime exits), in Text or JSON format as LoggingConfig.LogFormat says.
import type { LogFormat } from '../functionConfig';

export interface ReportMetrics {
  durationMs: number;
  billedDurationMs: number;
  memorySizeMB: number;
  maxMemoryUsedMB: number;
  initDurationMs?: number;
  /** Set when the invoke did not succeed at the platform level (timeout, crash). */
  status?: 'timeout' | 'error';
  errorType?: string;
}

const ms = (n: number) => n.toFixed(2);

export function initStartLine(format: LogFormat, runtime: string, time: Date): string {
  const runtimeVersion = `${runtime.replace(/\.x$/, '')}.local`;
  if (format === 'JSON') {
    return JSON.stringify({
      time: time.toISOString(),
      type: 'platform.initStart',
      record: { initializationType: 'on-demand', phase: 'init', runtimeVersion, runtimeVersionArn: 'local' },
    });
  }
  return `INIT_START Runtime Version: ${runtimeVersion}\tRuntime Version ARN: local`;
}

/** After an init that failed: how long it ran and why it failed. */
export function initReportLine(format: LogFormat, initDurationMs: number, errorType: string, time: Date): string {
  if (format === 'JSON') {
    return JSON.stringify({
      time: time.toISOString(),
      type: 'platform.initReport',
      record: {
        initializationType: 'on-demand',
        phase: 'init',
        status: 'error',
        errorType,
        metrics: { durationMs: Number(ms(initDurationMs)) },
      },
    });
  }
  return `INIT_REPORT Init Duration: ${ms(initDurationMs)} ms\tPhase: init\tStatus: error\tError Type: ${errorType}`;
}

export function startLine(format: LogFormat, requestId: string, version: string, time: Date): string {
  if (format === 'JSON') {
    return JSON.stringify({ time: time.toISOString(), type: 'platform.start', record: { requestId, version } });
  }
  return `START RequestId: ${requestId} Version: ${version}`;
}

export function endLine(format: LogFormat, requestId: string, status: string, time: Date): string {
  if (format === 'JSON') {
    return JSON.stringify({ time: time.toISOString(), type: 'platform.runtimeDone', record: { requestId, status } });
  }
  return `END RequestId: ${requestId}`;
}

export function reportLine(format: LogFormat, requestId: string, m: ReportMetrics, time: Date): string {
  if (format === 'JSON') {
    const metrics: Record<string, number> = {
      durationMs: Number(ms(m.durationMs)),
      billedDurationMs: m.billedDurationMs,
      memorySizeMB: m.memorySizeMB,
      maxMemoryUsedMB: m.maxMemoryUsedMB,
    };
    if (m.initDurationMs !== undefined) metrics.initDurationMs = Number(ms(m.initDurationMs));
    const record: Record<string, unknown> = { requestId, metrics, status: m.status ?? 'success' };
    if (m.errorType) record.errorType = m.errorType;
    return JSON.stringify({ time: time.toISOString(), type: 'platform.report', record });
  }
  let line =
    `REPORT RequestId: ${requestId}\tDuration: ${ms(m.durationMs)} ms\tBilled Duration: ${m.billedDurationMs} ms\t` +
    `Memory Size: ${m.memorySizeMB} MB\tMax Memory Used: ${m.maxMemoryUsedMB} MB\t`;
  if (m.initDurationMs !== undefined) line += `Init Duration: ${ms(m.initDurationMs)} ms\t`;
  if (m.status) line += `Status: ${m.status}\t`;
  if (m.errorType) line += `Error Type: ${m.errorType}\t`;
  return line;
}

/** Written by the platform, in the function's format, when an invoke times out. */
export function timeoutLine(format: LogFormat, requestId: string, seconds: number, time: Date): string {
  const message = `Task timed out after ${seconds.toFixed(2)} seconds`;
  if (format === 'JSON') {
    return JSON.stringify({ timestamp: time.toISOString(), level: 'ERROR', requestId, message });
  }
  return `${time.toISOString()} ${requestId} ${message}`;
}

/** Written by the platform when the runtime process ends during an invocation. */
export function runtimeExitLine(requestId: string, description: string): string {
  return `RequestId: ${requestId} Error: Runtime exited with error: ${description}`;
}

/**
 * Lambda bills on-demand managed-runtime invokes in 1 ms steps, and since August 2025 the
 * INIT phase of a cold start is billed with the first invoke.
 */
export function billedDuration(durationMs: number, initDurationMs?: number): number {
  return Math.max(1, Math.ceil(durationMs + (initDurationMs ?? 0)));
}
