// Idle memory of `lambda-lab serve` (the CLI's runtime and Lambda API, a template loaded, no
// invocation yet) beside an idle `node` process started the same way, and of one idle execution
// environment (its handler process after an invoke) beside a `node` that loaded the same handler.
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { failedRow, median, type BenchRow } from './benchTable';

const ROUNDS = 3;
/** After start-up work ends: what the process keeps while it waits. */
const SETTLE_MS = 3_000;
const CLI = path.resolve(__dirname, '../../out/cli.js');

const TEMPLATE = `Transform: AWS::Serverless-2016-10-31
Resources:
  Hello:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs20.x
      Handler: app.handler
      CodeUri: src/
`;

async function residentMB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)![1]) / 1024;
}

/** Every process under `pid` (children of all its threads), depth first. */
async function descendants(pid: number): Promise<number[]> {
  const tasks = await readdir(`/proc/${pid}/task`).catch(() => []);
  const children = (await Promise.all(tasks.map((t) => readFile(`/proc/${pid}/task/${t}/children`, 'utf8').catch(() => ''))))
    .join(' ')
    .split(/\s+/)
    .filter(Boolean)
    .map(Number);
  return [...children, ...(await Promise.all(children.map(descendants))).flat()];
}

/**
 * The handler process of the environment `serve` (pid) runs after one invoke: the bootstrap that
 * is frozen between invokes (a pre-started process waiting beside it runs the same bootstrap); it freezes moments after answering.
 */
async function handlerPid(servePid: number): Promise<number> {
  for (let tries = 0; tries < 50; tries++, await new Promise((ok) => setTimeout(ok, 100))) {
    for (const pid of await descendants(servePid)) {
      const [cmdline, stat] = await Promise.all([readFile(`/proc/${pid}/cmdline`, 'utf8'), readFile(`/proc/${pid}/stat`, 'utf8')]).catch(
        () => ['', ''],
      );
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      if (/bootstrap/.test(cmdline) && state === 'T') return pid;
    }
  }
  throw new Error('no frozen handler process under serve');
}

/** Starts the process, waits for `ready` on its output (or a moment), then for it to settle; its RSS then. */
async function idleRss(
  args: string[],
  ready?: RegExp,
  measured: (pid: number, output: string) => Promise<number> = async (pid) => pid,
): Promise<number> {
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  try {
    if (ready) {
      await new Promise<void>((ok, fail) => {
        let out = '';
        const timer = setTimeout(() => fail(new Error(`not ready within 30 s: ${out}`)), 30_000);
        const read = (chunk: Buffer) => {
          out += chunk.toString();
          if (ready.test(out)) {
            clearTimeout(timer);
            output = out;
            ok();
          }
        };
        child.stdout!.on('data', read);
        child.stderr!.on('data', read);
        child.on('exit', () => fail(new Error(`exited before ready: ${out}`)));
      });
    }
    const pid = await measured(child.pid!, output);
    await new Promise((ok) => setTimeout(ok, SETTLE_MS));
    return await residentMB(pid);
  } finally {
    child.kill('SIGKILL');
  }
}

export async function runIdleMemoryBench(): Promise<BenchRow[]> {
  const name = 'idle RSS: lambda-lab serve, template loaded';
  const dir = await mkdtemp(path.join(os.tmpdir(), 'lambda-lab-idle-bench-'));
  try {
    await mkdir(path.join(dir, 'src'));
    await writeFile(path.join(dir, 'template.yaml'), TEMPLATE);
    await writeFile(path.join(dir, 'src', 'app.js'), 'exports.handler = async () => ({ ok: true });\n');
    const handler = path.join(dir, 'src', 'app.js');
    const node: number[] = [];
    const serve: number[] = [];
    const nodeWithHandler: number[] = [];
    const environment: number[] = [];
    const serveArgs = [CLI, 'serve', '--template', path.join(dir, 'template.yaml'), '--port', '0'];
    for (let i = 0; i < ROUNDS; i++) {
      node.push(await idleRss(['-e', 'setInterval(() => {}, 1e9)']));
      serve.push(await idleRss(serveArgs, /listening on http/));
      nodeWithHandler.push(await idleRss(['-e', `require(${JSON.stringify(handler)}); setInterval(() => {}, 1e9)`]));
      environment.push(
        await idleRss(serveArgs, /listening on http/, async (pid, output) => {
          const url = /Lambda API listening on (http:\/\/\S+)/.exec(output)![1].replace(/\/$/, '');
          const client = new LambdaClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
          const out = await client.send(new InvokeCommand({ FunctionName: 'Hello', Payload: Buffer.from('{}') }));
          client.destroy();
          if (out.FunctionError) throw new Error(`the invoke failed: ${Buffer.from(out.Payload ?? []).toString()}`);
          return handlerPid(pid);
        }),
      );
    }
    return [
      { name: 'floor: idle node process', median: median(node), unit: 'MB' },
      {
        name,
        median: median(serve),
        unit: 'MB',
        floor: median(node),
        note: 'reference: the runtime, its Lambda API and the template in one process; the goal is per environment (below)',
      },
      { name: 'floor: idle node with the handler loaded', median: median(nodeWithHandler), unit: 'MB' },
      {
        name: 'idle RSS: one execution environment after an invoke',
        median: median(environment),
        unit: 'MB',
        floor: median(nodeWithHandler),
        goal: '≤ 1.1× floor',
      },
    ];
  } catch (error) {
    return [failedRow(name, 'MB', error)];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
