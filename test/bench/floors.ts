// The floors the runtime's figures are quoted against, measured with the handler process's own
// environment and flags: bare node starts, a keep-alive round trip to another process, a
// minimal Runtime API loop, and an idle node process's memory.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import type { Lane } from './benchTable';
import type { HandlerProcessShape } from './runtimeFixture';

/** Spawns node with the handler process's flags and environment; resolves with its stdout at exit. */
export function runNode(shape: HandlerProcessShape, args: string[], cwd: string, env = shape.env): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...shape.execArgv, ...args], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`node ${args.join(' ')} exited ${code}: ${err}`))));
  });
}

/**
 * Starts a long-lived node child and resolves once it printed its first line. It exits when
 * its stdin closes, so it cannot outlive the bench even if a phase is abandoned.
 */
export function startNode(shape: HandlerProcessShape, script: string, cwd: string): Promise<{ child: ChildProcess; line: string }> {
  const guarded = `process.stdin.on('end', () => process.exit(0)).resume();\n${script}`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...shape.execArgv, '-e', guarded], { env: shape.env, cwd, stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`helper process exited ${code} before it was ready`)));
    child.stdout!.on('data', (d: Buffer) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve({ child, line: out.slice(0, nl) });
    });
  });
}

export function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.removeAllListeners('exit');
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

export async function rssMB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!kb) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(kb[1]) / 1024;
}

/** Keep-alive round trips to a server in another process, as a handler talks to its Runtime API. */
export async function openOneHop(shape: HandlerProcessShape, cwd: string): Promise<Lane> {
  const server = `const s = require('http').createServer((q, r) => { q.resume(); q.on('end', () => r.end('{"ok":true}')); });
s.keepAliveTimeout = 60000;
s.listen(0, '127.0.0.1', () => process.stdout.write(s.address().port + '\\n'));`;
  const { child, line } = await startNode(shape, server, cwd);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const call = () =>
    new Promise<void>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: Number(line), method: 'POST', path: '/', agent }, (res) => {
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end('{}');
    });
  const close = async () => {
    agent.destroy();
    await stopChild(child);
  };
  return { name: 'floor: 1-hop HTTP keep-alive RTT', call, close, samples: [] };
}

// The smallest Runtime API client there is: next → handler → response, one keep-alive socket.
const MINIMAL_RUNTIME_CLIENT = `const http = require('http');
const handler = require('./index.js').handler;
const [host, port] = process.env.AWS_LAMBDA_RUNTIME_API.split(':');
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const call = (method, path, body) => new Promise((resolve, reject) => {
  const req = http.request({ host, port, method, path, agent }, (res) => {
    let data = '';
    res.setEncoding('utf8');
    res.on('data', (c) => (data += c));
    res.on('end', () => resolve({ headers: res.headers, data }));
  });
  req.on('error', reject);
  req.end(body);
});
(async () => {
  for (;;) {
    const next = await call('GET', '/2018-06-01/runtime/invocation/next');
    const id = next.headers['lambda-runtime-aws-request-id'];
    const result = await handler(JSON.parse(next.data), { awsRequestId: id });
    await call('POST', '/2018-06-01/runtime/invocation/' + id + '/response', JSON.stringify(result));
  }
})();`;

/**
 * Invokes over a bare-bones Runtime API (no logs, limits or events) to the client above:
 * what the protocol itself costs, between the 1-hop floor and LocalRuntime.
 */
export async function openRuntimeApiLoop(shape: HandlerProcessShape, cwd: string): Promise<Lane> {
  let waitingNext: http.ServerResponse | undefined;
  let pending: { id: string; delivered: boolean; settle: (body: string) => void } | undefined;
  let counter = 0;
  const deliver = (res: http.ServerResponse) => {
    waitingNext = undefined;
    pending!.delivered = true;
    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Lambda-Runtime-Aws-Request-Id': pending!.id,
      'Lambda-Runtime-Deadline-Ms': String(Date.now() + 3000),
    });
    res.end('{}');
  };
  const server = http.createServer((req, res) => {
    const body: Buffer[] = [];
    req.on('data', (c: Buffer) => body.push(c));
    req.on('end', () => {
      if (req.url === '/2018-06-01/runtime/invocation/next') {
        if (pending && !pending.delivered) deliver(res);
        else waitingNext = res;
      } else if (pending && req.url === `/2018-06-01/runtime/invocation/${pending.id}/response`) {
        const { settle } = pending;
        pending = undefined;
        res.writeHead(202).end('{"status":"OK"}');
        settle(Buffer.concat(body).toString());
      } else {
        res.writeHead(404).end();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  const child = spawn(process.execPath, [...shape.execArgv, '-e', MINIMAL_RUNTIME_CLIENT], {
    env: { ...shape.env, AWS_LAMBDA_RUNTIME_API: `127.0.0.1:${port}` },
    cwd,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const call = () =>
    new Promise<void>((resolve, reject) => {
      pending = {
        id: `bench-${++counter}`,
        delivered: false,
        settle: (body) => (body === '{"ok":true}' ? resolve() : reject(new Error(`minimal runtime client answered ${body}`))),
      };
      if (waitingNext) deliver(waitingNext);
    });
  const close = async () => {
    await stopChild(child);
    server.closeAllConnections();
    server.close();
  };
  return { name: '  minimal Runtime API loop, warm', call, close, samples: [] };
}

/** RSS of a bare node process that loaded the handler and sits idle: the floor for an idle environment. */
export async function idleHandlerRssMB(shape: HandlerProcessShape, codeDir: string): Promise<number> {
  const script = `require(${JSON.stringify(path.join(codeDir, 'index.js'))}); setInterval(() => {}, 1 << 30); process.stdout.write('ready\\n');`;
  const { child } = await startNode(shape, script, codeDir);
  try {
    await new Promise((r) => setTimeout(r, 300));
    return await rssMB(child.pid!);
  } finally {
    await stopChild(child);
  }
}
