// The one function every runtime benchmark invokes, the project holding it, and what its
// handler process looks like (environment, Node flags), so floors can run under the same.
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LocalRuntime } from '../../src/runtime/localRuntime';
import type { RuntimeOptions } from '../../src/runtime/runtimeOptions';
import { errorLine } from './benchTable';

export const FUNCTION = 'TrivialFunction';
/** Concurrent callers, and the runtime's concurrency cap to match. */
export const CALLERS = 8;

// One handler for every measurement. `probe` returns what the runtime gave the process, so
// the floors can be measured with exactly the same environment and Node flags.
const HANDLER_SOURCE = `exports.handler = async (event) =>
  event && event.probe ? { env: process.env, execArgv: process.execArgv } : { ok: true };
`;

const TEMPLATE = `AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  ${FUNCTION}:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: trivial/
      Handler: index.handler
      Runtime: nodejs20.x
      MemorySize: 128
      Timeout: 3
`;

export interface HandlerProcessShape {
  env: NodeJS.ProcessEnv;
  execArgv: string[];
  /** Set when the runtime could not be probed and a Lambda-like environment was assumed. */
  assumed?: string;
}

export interface Fixture {
  dir: string;
  templatePath: string;
  codeDir: string;
}

export async function writeFixture(): Promise<Fixture> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'lambda-lab-bench-'));
  const codeDir = path.join(dir, 'trivial');
  await mkdir(codeDir);
  await writeFile(path.join(codeDir, 'index.js'), HANDLER_SOURCE);
  const templatePath = path.join(dir, 'template.yaml');
  await writeFile(templatePath, TEMPLATE);
  return { dir, templatePath, codeDir };
}

export async function createRuntime(fixture: Fixture, extra: RuntimeOptions = {}): Promise<LocalRuntime> {
  const runtime = new LocalRuntime({
    stateDir: path.join(fixture.dir, '.lambda-lab'),
    idleTimeoutMs: 0,
    watchCode: false,
    concurrencyCap: CALLERS,
    ...extra,
  });
  await runtime.loadTemplate(fixture.templatePath);
  return runtime;
}

export async function probeHandlerProcess(runtime: LocalRuntime): Promise<HandlerProcessShape> {
  const result = await runtime.invoke(FUNCTION, JSON.stringify({ probe: true }));
  if (result.functionError) throw new Error(result.payload.toString());
  await runtime.stopEnvironments(FUNCTION);
  return JSON.parse(result.payload.toString()) as HandlerProcessShape;
}

/** Lambda's own variables, none of the host's: what the runtime is meant to give, when it cannot be asked. */
export function assumedHandlerProcess(fixture: Fixture, error: unknown): HandlerProcessShape {
  return {
    env: {
      PATH: process.env.PATH,
      LANG: 'en_US.UTF-8',
      TZ: ':UTC',
      LAMBDA_TASK_ROOT: fixture.codeDir,
      _HANDLER: 'index.handler',
      AWS_LAMBDA_FUNCTION_NAME: FUNCTION,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128',
      AWS_REGION: 'us-east-1',
    },
    execArgv: [],
    assumed: `runtime probe failed (${errorLine(error)}); floors use a minimal Lambda-like environment`,
  };
}
