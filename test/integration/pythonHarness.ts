// Starts our Python bootstrap (out/bootstrap/python/bootstrap.py) against the Runtime API test
// server, with Lambda's environment, under Debian's /usr/bin/python3 (the interpreter `.ci/run`
// gives python3-boto3 and python3-debugpy). Suites skip, saying why, when it is missing.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  BootstrapProcess,
  RuntimeApiTestServer,
  type InvocationOutcome,
  type InvocationRequest,
  type StartOptions,
} from './runtimeApiTestServer';

const repoRoot = path.resolve(__dirname, '../..');
export const pythonBootstrap = path.join(repoRoot, 'out/bootstrap/python/bootstrap.py');
export const PYTHON = process.env.LAMBDA_LAB_TEST_PYTHON ?? '/usr/bin/python3';
export const pythonFixture = (...parts: string[]) => path.join(repoRoot, 'test/fixtures/python', ...parts);

/** Why Python suites cannot run here, or undefined when they can. */
export function pythonMissing(): string | undefined {
  if (!existsSync(PYTHON)) return `${PYTHON} not found (apt-get install python3, or set LAMBDA_LAB_TEST_PYTHON)`;
  return undefined;
}

/** Skips the calling suite with the reason when Python is missing; call in `before`. */
export function requirePython(context: Mocha.Context): void {
  const missing = pythonMissing();
  if (missing) {
    console.log(`      skipped: ${missing}`);
    context.skip();
  }
}

/** `X.Y` of the test interpreter. */
export function pythonMinor(): string {
  return execFileSync(PYTHON, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], { encoding: 'utf8' }).trim();
}

export interface PythonStartOptions extends Omit<StartOptions, 'nodeArgs'> {
  runtime?: string;
  /** Interpreter flags before the bootstrap, e.g. -S (no site-packages). */
  pythonArgs?: string[];
}

export function startPythonBootstrap(server: RuntimeApiTestServer, options: PythonStartOptions): BootstrapProcess {
  const env: Record<string, string> = {
    PATH: '/usr/local/bin:/usr/bin:/bin',
    TZ: ':UTC',
    LANG: 'en_US.UTF-8',
    AWS_REGION: 'us-east-1',
    AWS_EXECUTION_ENV: `AWS_Lambda_${options.runtime ?? 'python3.12'}`,
    AWS_LAMBDA_FUNCTION_NAME: 'fn',
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128',
    AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/fn',
    AWS_LAMBDA_LOG_STREAM_NAME: '2024/01/01/[$LATEST]0123456789abcdef0123456789abcdef',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_RUNTIME_API: server.endpoint,
    LAMBDA_TASK_ROOT: options.taskRoot,
    _HANDLER: options.handler,
    ...options.env,
  };
  if (options.logFd) env.LAMBDA_LAB_LOG_FD = '3';
  const child = spawn(PYTHON, [...(options.pythonArgs ?? []), pythonBootstrap], {
    cwd: options.taskRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe', options.logFd ? 'pipe' : 'ignore'],
  });
  return new BootstrapProcess(child);
}

/** The error body the Python runtime posts. */
export interface PythonErrorBody {
  errorType: string;
  errorMessage: string;
  requestId: string;
  stackTrace: string[];
}

/** A server plus one Python bootstrap; `dispose()` kills and closes both. */
export class PythonSession {
  private constructor(
    readonly server: RuntimeApiTestServer,
    readonly process: BootstrapProcess,
  ) {}

  static async start(options: PythonStartOptions): Promise<PythonSession> {
    const server = await RuntimeApiTestServer.start();
    return new PythonSession(server, startPythonBootstrap(server, options));
  }

  invoke(request?: InvocationRequest): Promise<InvocationOutcome> {
    return this.server.invoke(request);
  }

  async dispose(): Promise<void> {
    this.process.kill();
    await this.process.exited;
    await this.server.close();
  }
}
