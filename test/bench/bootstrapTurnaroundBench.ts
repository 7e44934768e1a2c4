// The Node bootstrap's own warm turnaround, alone: a minimal Runtime API on a raw socket hands
// out an event the moment /next arrives and times until the handler's response is fully in.
// No front door, no runtime — what is left is the handler process's cost per invoke, beside a
// floor (an echo process answering the same bytes without running any bootstrap code).
//   npm run build && node --import tsx test/bench/bootstrapTurnaroundBench.ts [invokes]
// BOOTSTRAP_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' profiles the handler processes;
// BOOTSTRAP_PATH=<bundle> compares another build of the bootstrap.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const INVOKES = Number(process.argv[2] ?? 4000);
const WARMUP = 500;
const BOOTSTRAP = process.env.BOOTSTRAP_PATH ?? path.resolve(__dirname, '../../out/bootstrap/node.js');
const nodeArgs = process.env.BOOTSTRAP_NODE_ARGS?.split(' ').filter(Boolean) ?? [];

const HANDLERS: Record<string, string> = {
  'async handler': 'exports.handler = async (event) => ({ statusCode: 200, body: event.n });',
  'callback, waits for empty loop': 'exports.handler = (event, context, cb) => cb(null, { statusCode: 200, body: event.n });',
  'async handler that logs': 'exports.handler = async (event) => { console.log("got", event.n); return { ok: true }; };',
};

const ECHO = `
const net = require('node:net');
const [host, port] = process.env.AWS_LAMBDA_RUNTIME_API.split(':');
const socket = net.connect({ host, port: Number(port), noDelay: true });
let buf = '';
const next = 'GET /2018-06-01/runtime/invocation/next HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n';
socket.write(next);
socket.on('data', (chunk) => {
  buf += chunk.toString('latin1');
  for (;;) {
    const end = buf.indexOf('\\r\\n\\r\\n');
    if (end < 0) return;
    const len = Number(/content-length: (\\d+)/i.exec(buf.slice(0, end))?.[1] ?? 0);
    if (buf.length < end + 4 + len) return;
    const head = buf.slice(0, end);
    buf = buf.slice(end + 4 + len);
    if (!head.startsWith('HTTP/1.1 200')) continue;
    const id = /lambda-runtime-aws-request-id: (\\S+)/i.exec(head)[1];
    const body = '{"statusCode":200,"body":1}';
    socket.write('POST /2018-06-01/runtime/invocation/' + id + '/response HTTP/1.1\\r\\nHost: x\\r\\nContent-Type: application/json\\r\\nContent-Length: ' + body.length + '\\r\\n\\r\\n' + body + next);
  }
});
`;

/** One process against the fake Runtime API: the per-invoke turnaround, in microseconds. */
async function measure(dir: string, args: string[], env: NodeJS.ProcessEnv): Promise<number[]> {
  const samples: number[] = [];
  const server = net.createServer({ noDelay: true });
  let child: ChildProcess | undefined;
  const done = new Promise<void>((resolve, reject) => {
    server.on('connection', (socket) => {
      socket.on('error', () => {});
      let buf = Buffer.alloc(0);
      let sent = 0n;
      let n = 0;
      const sendEvent = () => {
        const body = JSON.stringify({ n, path: '/items', headers: { accept: '*/*' } });
        const id = `req-${n}`;
        sent = process.hrtime.bigint();
        socket.write(
          `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nLambda-Runtime-Aws-Request-Id: ${id}\r\n` +
            `Lambda-Runtime-Deadline-Ms: ${Date.now() + 60000}\r\nLambda-Runtime-Invoked-Function-Arn: arn:aws:lambda:us-east-1:123456789012:function:f\r\n` +
            `Lambda-Runtime-Trace-Id: Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
        );
      };
      socket.on('data', (chunk: Buffer) => {
        buf = Buffer.concat([buf, chunk]);
        for (;;) {
          const end = buf.indexOf('\r\n\r\n');
          if (end < 0) return;
          const head = buf.toString('latin1', 0, end);
          const len = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
          if (buf.length < end + 4 + len) return;
          buf = buf.subarray(end + 4 + len);
          if (head.startsWith('GET')) {
            if (n < WARMUP + INVOKES) sendEvent();
            else {
              // Closing the Runtime API ends the bootstrap by itself, so a profile is written.
              server.close();
              socket.destroy();
              resolve();
            }
          } else if (head.includes('/response ')) {
            const took = Number(process.hrtime.bigint() - sent) / 1000;
            if (n++ >= WARMUP) samples.push(took);
            socket.write('HTTP/1.1 202 Accepted\r\nContent-Length: 16\r\n\r\n{"status":"OK"}\n');
          } else {
            reject(new Error(`unexpected request: ${head.split('\r\n')[0]}`));
          }
        }
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  try {
    child = spawn(process.execPath, args, {
      cwd: dir,
      env: { ...env, AWS_LAMBDA_RUNTIME_API: `127.0.0.1:${port}`, LAMBDA_TASK_ROOT: dir, _HANDLER: 'index.handler' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const exited = new Promise((resolve) => child!.on('exit', resolve));
    await done;
    await exited;
  } finally {
    if (child?.exitCode === null) child.kill();
    server.close();
  }
  return samples;
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

async function main(): Promise<void> {
  console.log(`bootstrap turnaround — node ${process.version} · load ${os.loadavg()[0].toFixed(2)} · ${INVOKES} invokes each`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bootstrap-turnaround-'));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    AWS_LAMBDA_FUNCTION_NAME: 'f',
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
  };
  try {
    writeFileSync(path.join(dir, 'echo.js'), ECHO);
    const rows: [string, number[]][] = [['floor: echo process (no bootstrap)', await measure(dir, ['echo.js'], env)]];
    for (const [name, source] of Object.entries(HANDLERS)) {
      writeFileSync(path.join(dir, 'index.js'), source);
      rows.push([name, await measure(dir, [...nodeArgs, BOOTSTRAP], env)]);
    }
    for (const [name, samples] of rows) {
      const sorted = samples.sort((a, b) => a - b);
      console.log(
        `${name.padEnd(36)} p50 ${pct(sorted, 0.5).toFixed(1).padStart(7)} µs   p90 ${pct(sorted, 0.9).toFixed(1).padStart(7)} µs`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
