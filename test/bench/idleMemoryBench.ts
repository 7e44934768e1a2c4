// Idle memory of `lambda-lab serve` (the CLI's runtime and Lambda API, a template loaded, no
// invocation yet) beside an idle `node` process started the same way, in the same run.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
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

/** Starts the process, waits for `ready` on its output (or a moment), then for it to settle; its RSS then. */
async function idleRss(args: string[], ready?: RegExp): Promise<number> {
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    if (ready) {
      await new Promise<void>((ok, fail) => {
        let out = '';
        const timer = setTimeout(() => fail(new Error(`not ready within 30 s: ${out}`)), 30_000);
        const read = (chunk: Buffer) => {
          out += chunk.toString();
          if (ready.test(out)) {
            clearTimeout(timer);
            ok();
          }
        };
        child.stdout!.on('data', read);
        child.stderr!.on('data', read);
        child.on('exit', () => fail(new Error(`exited before ready: ${out}`)));
      });
    }
    await new Promise((ok) => setTimeout(ok, SETTLE_MS));
    return await residentMB(child.pid!);
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
    const node: number[] = [];
    const serve: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      node.push(await idleRss(['-e', 'setInterval(() => {}, 1e9)']));
      serve.push(await idleRss([CLI, 'serve', '--template', path.join(dir, 'template.yaml'), '--port', '0'], /listening on http/));
    }
    return [
      { name: 'floor: idle node process', median: median(node), unit: 'MB' },
      { name, median: median(serve), unit: 'MB', floor: median(node), goal: '≤ 1.1× floor' },
    ];
  } catch (error) {
    return [failedRow(name, 'MB', error)];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
