// What the Debug Console shows besides the user's own evaluations: the debugged functions' log
// records, at the line that wrote them (through the source maps the session has loaded), and
// why a thread ended under the user's eyes.
import type { LogRecord, StopReason } from '../runtime/runtimeEvents';
import type { SourceMapCache } from './sourceMaps';

/** A line in a file, counted from 1 (column too), as the session hands them to DAP. */
export interface ConsoleLocation {
  path: string;
  line: number;
  column?: number;
}

export interface ConsoleOutput {
  text: string;
  category: 'console' | 'important' | 'stdout' | 'stderr';
  where?: ConsoleLocation;
}

const STOP_REASONS: Record<StopReason, string> = {
  idle: 'reaped after being idle',
  timeout: 'the invocation timed out',
  crash: 'the process exited',
  'out-of-memory': 'it ran out of memory',
  'init-error': 'init failed',
  'code-changed': 'the code changed',
  stopped: 'it was stopped',
  'config-changed': 'the configuration changed',
};

/** A log record as console output; `maps` undefined when the session does not use source maps. */
export function logOutput(record: LogRecord, maps: SourceMapCache | undefined): ConsoleOutput {
  const category = record.kind === 'platform' ? 'console' : record.level === 'ERROR' || record.level === 'FATAL' ? 'stderr' : 'stdout';
  let where: ConsoleLocation | undefined;
  if (record.source) {
    const { file, line, column } = record.source;
    const mapped = maps?.forGenerated(file)?.toOriginal(line, column - 1);
    if (mapped) where = { path: mapped.path, line: mapped.line, column: mapped.column + 1 };
    else if (file) where = { path: file, line, column };
  }
  return { text: `${record.message}\n`, category, where };
}

export function endedWhilePaused(threadName: string, reason: StopReason): string {
  return `${threadName} ended while paused: ${STOP_REASONS[reason]}.\n`;
}
