// Where in the user's code a console method was called: the first stack frame that is
// neither this bootstrap nor node itself. Only computed when the runtime asked for log
// records on LAMBDA_LAB_LOG_FD, so ordinary runs pay nothing for it.
import { fileURLToPath } from 'node:url';

export interface CallSiteLocation {
  /** Absolute path (file:// URLs of ES modules converted). */
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

const MAX_FRAMES = 30;

export function userCallSite(): CallSiteLocation | undefined {
  const holder: { stack?: NodeJS.CallSite[] } = {};
  const savedPrepare = Error.prepareStackTrace;
  const savedLimit = Error.stackTraceLimit;
  // Structured frames, raw positions: user code may have installed a source-map formatter.
  Error.prepareStackTrace = (_error, frames) => frames;
  Error.stackTraceLimit = MAX_FRAMES;
  try {
    Error.captureStackTrace(holder, userCallSite);
    for (const frame of holder.stack ?? []) {
      const name = frame.getFileName();
      if (!name || name === __filename || name.startsWith('node:')) continue;
      const line = frame.getLineNumber();
      const column = frame.getColumnNumber();
      if (line === null || column === null) continue;
      return { file: name.startsWith('file://') ? fileURLToPath(name) : name, line, column };
    }
    return undefined;
  } finally {
    Error.prepareStackTrace = savedPrepare;
    Error.stackTraceLimit = savedLimit;
  }
}
