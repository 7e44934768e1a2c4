// console → Lambda's log records. Text: `<ISO time>\t<request id>\t<LEVEL>\t<util.format'ed
// message>`; JSON (AWS_LAMBDA_LOG_FORMAT=JSON): one object per call. AWS_LAMBDA_LOG_LEVEL
// silences the levels below it, as the managed runtime's console patch does.
// Records go to stdout as Lambda writes them, or, when our runtime passes LAMBDA_LAB_LOG_FD,
// as BootstrapLogRecord lines on that descriptor, each with the user's call site.
import { writeSync } from 'node:fs';
import { format } from 'node:util';
import type { BootstrapLogRecord } from '../bootstrapProtocol';
import { userCallSite } from './callSite';
import { intoError, toFormatted } from './runtimeErrors';

interface Level {
  name: string;
  priority: number;
}

const LEVELS = {
  TRACE: { name: 'TRACE', priority: 1 },
  DEBUG: { name: 'DEBUG', priority: 2 },
  INFO: { name: 'INFO', priority: 3 },
  WARN: { name: 'WARN', priority: 4 },
  ERROR: { name: 'ERROR', priority: 5 },
  FATAL: { name: 'FATAL', priority: 6 },
} as const;
type LevelName = keyof typeof LEVELS;

type Formatter = (time: string, requestId: string | undefined, level: Level, params: unknown[]) => string;
type Sink = (level: Level, line: string, date: Date, fromUserCode: boolean) => void;

let currentRequestId: string | undefined;
/** The invocation's tenant (a tenant-isolated function): JSON records name it. */
let currentTenantId: string | undefined;
/** The invocation whose request id (and tenant) records carry from now on. */
export const setCurrentInvocation = (id: string, tenantId: string | undefined) => {
  currentRequestId = id;
  currentTenantId = tenantId;
};

const formatText: Formatter = (time, requestId, level, params) => `${time}\t${requestId}\t${level.name}\t${format(...params)}`;

function formatJson(time: string, requestId: string | undefined, level: Level, params: unknown[]): string {
  const record: Record<string, unknown> = { timestamp: time, level: level.name, requestId };
  if (currentTenantId) record.tenantId = currentTenantId;
  if (params.length === 1) {
    record.message = params[0];
    try {
      return JSON.stringify(record, jsonErrorReplacer);
    } catch {
      record.message = format(params[0]);
      return JSON.stringify(record);
    }
  }
  record.message = format(...params);
  const error = params.find((p): p is Error => p instanceof Error);
  if (error) {
    record.errorType = error.constructor?.name ?? 'UnknownError';
    record.errorMessage = error.message;
    record.stackTrace = typeof error.stack === 'string' ? error.stack.split('\n') : [];
  }
  return JSON.stringify(record);
}

function jsonErrorReplacer(_key: string, value: unknown): unknown {
  if (!(value instanceof Error)) return value;
  return Object.assign(
    {
      errorType: value.constructor?.name ?? 'UnknownError',
      errorMessage: value.message,
      stackTrace: typeof value.stack === 'string' ? value.stack.split('\n') : value.stack,
    },
    value,
  );
}

/** Lambda's stdout convention: one record per line, inner newlines turned into carriage returns. */
const stdoutSink: Sink = (_level, line) => {
  process.stdout.write(line.replace(/\n/g, '\r') + '\n');
};

function fdSink(fd: number): Sink {
  return (level, line, date, fromUserCode) => {
    const record: BootstrapLogRecord = { line, timestamp: date.getTime(), requestId: currentRequestId, level: level.name };
    if (fromUserCode) record.source = userCallSite();
    writeSync(fd, JSON.stringify(record) + '\n');
  };
}

export interface LogPatchOptions {
  format: 'Text' | 'JSON';
  /** AWS_LAMBDA_LOG_LEVEL; unset means every level. */
  minLevel?: string;
  /** LAMBDA_LAB_LOG_FD; unset means stdout. */
  fd?: number;
  /** The request id records carry before the first invocation. */
  noRequestId?: string;
}

type ConsoleMethod = (message?: unknown, ...params: unknown[]) => void;

/** Logs the runtime's own error reports ("Invoke Error", "Uncaught Exception"...). Set by patchConsole. */
export let logError: (title: string, error: unknown) => void = () => {};

export function patchConsole(options: LogPatchOptions): void {
  const formatter = options.format === 'JSON' ? formatJson : formatText;
  const sink = options.fd === undefined ? stdoutSink : fdSink(options.fd);
  const min = LEVELS[options.minLevel?.toUpperCase() as LevelName] ?? LEVELS.TRACE;
  const write = (level: Level, params: unknown[], fromUserCode: boolean) => {
    if (level.priority < min.priority) return;
    const date = new Date();
    sink(level, formatter(date.toISOString(), currentRequestId ?? options.noRequestId, level, params), date, fromUserCode);
  };
  const method =
    (level: Level): ConsoleMethod =>
    (message, ...params) =>
      write(level, [message, ...params], true);
  const target = console as unknown as Record<string, ConsoleMethod>;
  target.trace = method(LEVELS.TRACE);
  target.debug = method(LEVELS.DEBUG);
  target.info = method(LEVELS.INFO);
  target.log = target.info;
  target.warn = method(LEVELS.WARN);
  target.error = method(LEVELS.ERROR);
  target.fatal = method(LEVELS.FATAL);

  logError =
    options.format === 'JSON'
      ? (_title, error) => write(LEVELS.ERROR, [intoError(error)], false)
      : (title, error) => write(LEVELS.ERROR, [title, toFormatted(intoError(error))], false);
}
