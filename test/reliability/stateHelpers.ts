// Shared by the reliability suites on state, the Lambda API and limits: a generated project in a
// temp folder, real `lambda-lab serve` processes on it, and raw HTTP with full control of headers.
import { LambdaClient } from '@aws-sdk/client-lambda';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CLI = join(__dirname, '..', '..', 'out', 'cli.js');

export const cliBuilt = () => existsSync(CLI);

/** A SigV4 Authorization header's shape; the local API accepts any credentials. */
export const SIGNED = 'AWS4-HMAC-SHA256 Credential=AKIDLOCAL/20260101/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=00';

export interface ProjectOptions {
  /** Extra template resources (YAML, indented by 2). */
  resources?: string;
}

/**
 * A SAM project with `echo` (returns its event, the code marker and the version), `other`
 * (the same code), `sleeper` (waits `event.ms`) and the folder layer `shared`.
 */
export function makeProject(opts: ProjectOptions = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'lambda-lab-reliability-'));
  mkdirSync(join(dir, 'src'));
  mkdirSync(join(dir, 'layer', 'nodejs'), { recursive: true });
  writeMarker(dir, 'v0');
  writeFileSync(
    join(dir, 'src', 'app.js'),
    `const marker = require('./marker.json');
exports.handler = async (event, context) => ({ marker: marker.value, version: context.functionVersion, event });
exports.sleep = async (event) => { await new Promise((ok) => setTimeout(ok, event.ms || 0)); return { slept: event.ms }; };
`,
  );
  writeFileSync(join(dir, 'layer', 'nodejs', 'shared.js'), 'module.exports = "layer-v1";\n');
  writeFileSync(
    join(dir, 'template.yaml'),
    `AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: nodejs20.x
    Timeout: 10
    MemorySize: 128
Resources:
  SharedLayer:
    Type: AWS::Serverless::LayerVersion
    Properties:
      LayerName: shared
      ContentUri: layer/
  EchoFunction:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: echo
      CodeUri: src/
      Handler: app.handler
  OtherFunction:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: other
      CodeUri: src/
      Handler: app.handler
  SleeperFunction:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: sleeper
      CodeUri: src/
      Handler: app.sleep
${opts.resources ?? ''}`,
  );
  return dir;
}

/** Changes the functions' code, so the next PublishVersion makes a new version. */
export function writeMarker(dir: string, value: string): void {
  writeFileSync(join(dir, 'src', 'marker.json'), JSON.stringify({ value }));
}

export interface ServeProcess {
  url: string;
  port: number;
  child: ChildProcess;
  client: LambdaClient;
  stderr(): string;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
}

/** `lambda-lab serve --port 0` on the project, once it printed its URL. */
export async function startServe(dir: string, args: string[] = []): Promise<ServeProcess> {
  const child = spawn(process.execPath, [CLI, 'serve', '--template', join(dir, 'template.yaml'), '--port', '0', '--quiet', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d));
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
  const url = await new Promise<string>((ok, fail) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) ok(m[1]);
    });
    child.once('exit', (code) => fail(new Error(`serve exited (${code}) before listening: ${stderr}`)));
  });
  const client = new LambdaClient({
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' },
    maxAttempts: 1,
  });
  return {
    url,
    port: Number(new URL(url).port),
    child,
    client,
    stderr: () => stderr,
    async stop() {
      client.destroy();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTP request with exactly the given headers (Host included), as a browser or attacker would send it. */
export function rawRequest(
  url: string,
  opts: { method?: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<RawResponse> {
  const { hostname, port } = new URL(url);
  return new Promise((ok, fail) => {
    const req = request(
      {
        host: hostname,
        port,
        method: opts.method ?? 'GET',
        path: opts.path,
        headers: { Host: `${hostname}:${port}`, ...opts.headers },
        agent: false,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => ok({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', fail);
    req.end(opts.body);
  });
}
