// Entry point of out/bootstrap/node.js, the process our runtime starts for a Node function.
// Speaks the Runtime API at AWS_LAMBDA_RUNTIME_API, loads _HANDLER from LAMBDA_TASK_ROOT,
// and behaves as the managed nodejs runtimes do. Kept small: it is on the cold-start path.
import {
  LOG_FD_ENV,
  PRESTART_FD_ENV,
  PRESTART_WARM_DEBUGGER_ENV,
  RUNTIME_API_SOCKET_ENV,
  WAIT_FOR_DEBUGGER_ENV,
} from '../bootstrapProtocol';
import { handlerMetadata, installAwslambdaGlobal } from './awslambdaGlobal';
import { beforeExitListener } from './beforeExitListener';
import { receiveEnvironment } from './environmentHandover';
import { installEsmNodePath } from './esmNodePath';
import { loadHandler } from './handlerLoader';
import { logError, patchConsole } from './logPatch';
import { exitOnLostRuntimeApi, RuntimeApiClient } from './runtimeApiClient';
import { clientGeneration, refuseCallbackHandler } from './runtimeClient';
import { shapeRuntimeErrorsAs, UnhandledPromiseRejection } from './runtimeErrors';
import { EXIT_UNCAUGHT_EXCEPTION, EXIT_UNHANDLED_REJECTION, RuntimeLoop, type ErrorCallbacks } from './runtimeLoop';

/** Reads and removes our private variables: the handler sees Lambda's environment only. */
function takeEnv(name: string): string | undefined {
  const value = process.env[name];
  delete process.env[name];
  return value;
}

/**
 * Lets a debugger set its breakpoints before any user code runs. No pause happens in this file.
 * The inspector opens here (on a free loopback port, its banner on stderr as with --inspect),
 * so a process started ahead of its function can be debugged too.
 */
function waitForDebugger(): void {
  const inspector = require('node:inspector') as typeof import('node:inspector');
  if (!inspector.url()) inspector.open(0, '127.0.0.1');
  inspector.waitForDebugger();
}

/**
 * V8 loads its debugger support on the first Debugger.enable of the process (11-20 ms), and
 * keeps it when the debugger is turned off again. Done here, in an in-process session that
 * opens no port, while the pre-started process waits: a debugger attaching later enables in ~2 ms.
 */
function warmDebugger(): void {
  const { Session } = require('node:inspector') as typeof import('node:inspector');
  const session = new Session();
  session.connect();
  session.post('Debugger.enable');
  session.post('Debugger.disable');
  session.disconnect();
}

async function main(): Promise<void> {
  const handoverFd = takeEnv(PRESTART_FD_ENV);
  if (handoverFd) {
    if (takeEnv(PRESTART_WARM_DEBUGGER_ENV) === '1') warmDebugger();
    receiveEnvironment(Number(handoverFd));
  }
  const logFd = takeEnv(LOG_FD_ENV);
  const pauseForDebugger = takeEnv(WAIT_FOR_DEBUGGER_ENV) === '1';
  const localRuntimeApi = takeEnv(RUNTIME_API_SOCKET_ENV);
  const env = process.env;
  const generation = clientGeneration(env);
  shapeRuntimeErrorsAs(generation);
  patchConsole({
    format: env.AWS_LAMBDA_LOG_FORMAT?.toUpperCase() === 'JSON' ? 'JSON' : 'Text',
    minLevel: env.AWS_LAMBDA_LOG_LEVEL,
    fd: logFd ? Number(logFd) : undefined,
    // Before the first invocation: 4.x writes "-", the classic client its `undefined`.
    noRequestId: generation === 'ric4' ? '-' : undefined,
  });

  let client: RuntimeApiClient;
  try {
    client = new RuntimeApiClient(env.AWS_LAMBDA_RUNTIME_API ?? '', localRuntimeApi);
  } catch (error) {
    process.stderr.write(`Lambda Lab bootstrap: ${(error as Error).message}\n`);
    process.exit(1);
  }

  // Until the first invocation, escaping errors are init errors.
  const postInitErrorThenExit = (code: number) => (error: unknown) =>
    void client.postInitError(error).then(() => process.exit(code), exitOnLostRuntimeApi);
  const errorCallbacks: ErrorCallbacks = {
    uncaughtException: postInitErrorThenExit(EXIT_UNCAUGHT_EXCEPTION),
    unhandledRejection: postInitErrorThenExit(EXIT_UNHANDLED_REJECTION),
  };
  const onUncaught = (error: unknown) => {
    logError('Uncaught Exception', error);
    errorCallbacks.uncaughtException(error);
  };
  let loop: RuntimeLoop | undefined;
  // The classic client answers an exception nothing caught (init error or the current
  // invocation's error); aws-lambda-ric 4.x installs no listener, so node prints it and exits 1,
  // which Lambda reports as Runtime.ExitError.
  if (generation === 'classic') {
    process.on('uncaughtException', onUncaught);
    process.on('unhandledRejection', (reason, promise) => {
      if (loop?.claimRejection(promise, reason)) return;
      const error = new UnhandledPromiseRejection(reason, promise);
      logError('Unhandled Promise Rejection', error);
      errorCallbacks.unhandledRejection(error);
    });
  } else if (pauseForDebugger) {
    // Only to take back an async handler's error escaping to the debugger; anything else ends the process as without us.
    process.on('unhandledRejection', (reason, promise) => {
      if (!loop?.claimRejection(promise, reason)) throw reason;
    });
  }
  beforeExitListener.install();
  installAwslambdaGlobal(generation);

  installEsmNodePath(true);

  if (pauseForDebugger) waitForDebugger();
  try {
    const handler = await loadHandler(env.LAMBDA_TASK_ROOT ?? process.cwd(), env._HANDLER ?? '', generation);
    const metadata = handlerMetadata(handler);
    if (generation === 'ric4') refuseCallbackHandler(handler, metadata.streaming);
    loop = new RuntimeLoop(client, handler, metadata, errorCallbacks, pauseForDebugger, generation);
    loop.scheduleIteration();
  } catch (error) {
    if (generation === 'classic') {
      // The classic client loads the handler in a top-level await: a failure is an uncaught exception.
      onUncaught(error);
      return;
    }
    // 4.x logs and posts it, then lets it escape: node prints it on stderr and exits 1.
    logError('Init Error', error);
    await client.postInitError(error).catch(exitOnLostRuntimeApi);
    throw error;
  }
}

void main();
