// What our runtime tells the bootstraps it spawns, beyond Lambda's own environment variables.
// Kept here so environment/ (the spawning side) and bootstrap/ (the spawned side) agree.

/** File descriptor number on which our bootstrap writes structured log records (one JSON object per line). */
export const LOG_FD_ENV = 'LAMBDA_LAB_LOG_FD';

/** When "1", the bootstrap calls inspector.waitForDebugger() before loading the handler module. */
export const WAIT_FOR_DEBUGGER_ENV = 'LAMBDA_LAB_WAIT_FOR_DEBUGGER';

/**
 * Set on a pre-started bootstrap: the descriptor on which it waits for its environment (a
 * PrestartHandover as JSON, then end of stream) before it does anything of a function's.
 */
export const PRESTART_FD_ENV = 'LAMBDA_LAB_PRESTART_FD';

/**
 * When "1", a pre-started bootstrap loads its engine's debugger support while it waits (then
 * turns it off again), so a debugger attaching to the environment that takes it does not wait
 * for that first load.
 */
export const PRESTART_WARM_DEBUGGER_ENV = 'LAMBDA_LAB_PRESTART_WARM_DEBUGGER';

/**
 * Set for our bootstraps where the platform allows: the path of a Unix socket on which their
 * environment's Runtime API also answers (a loopback TCP round trip costs about 9 µs more).
 * AWS_LAMBDA_RUNTIME_API still names the TCP endpoint, for extensions and the handler.
 */
export const RUNTIME_API_SOCKET_ENV = 'LAMBDA_LAB_RUNTIME_API_SOCKET';

/**
 * A request header of our bootstraps' Runtime API clients on an invocation's response or error:
 * "answer this with the next event" (the poll that would follow it, in the same exchange). Lambda
 * Lab's Runtime API does; any other answers 202 and the client polls on its own.
 */
export const THEN_NEXT_HEADER = 'Lambda-Lab-Then-Next';

export interface PrestartHandover {
  /** The process's whole environment from now on (what a spawn would have given it). */
  env: Record<string, string>;
  cwd: string;
}

/**
 * A structured log record on the LOG_FD channel. `line` is the record exactly as Lambda would
 * write it (Text line or JSON object text); the runtime stores it as one log event.
 */
export interface BootstrapLogRecord {
  line: string;
  /** ms since epoch. */
  timestamp: number;
  requestId?: string;
  level?: string;
  /** Call site of the console method in the handler's code (absolute file path, 1-based line/column). */
  source?: { file: string; line: number; column: number };
}
