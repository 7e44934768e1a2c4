// `npm run soak [-- --minutes N]` (default 2): mixed invocations for N minutes through a
// runtime in this process (what the CLI does) and through `lambda-lab serve` (the AWS SDK),
// with random faults — handlers that throw, exit, time out, run out of memory, and handler
// processes killed with SIGKILL — then checks that every request was answered exactly once
// (and run at most once), that nothing leaked (processes, file descriptors, listeners), and
// that both processes' RSS stayed flat after warm-up. Prints the figures; exits 1 on a failure.
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { spawn } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LambdaServiceError } from '../../src/runtime/errors/serviceErrors';
import { LocalRuntime } from '../../src/runtime/localRuntime';
import type { RuntimeEvents } from '../../src/runtime/runtimeEvents';
import { CLI, processesIn, waitUntil } from '../reliability/processHarness';
import { FUNCTION_OF, makeSoakProject, pickKind, type Kind } from './soakProject';

type Target = 'runtime' | 'serve';
const WORKERS_PER_TARGET = 6;
const SAMPLE_MS = 2000;
/** Share of the run before RSS is expected to be flat. */
const WARM_UP = 0.25;

interface Call {
  token: string;
  kind: Kind;
  target: Target;
  answers: number;
  /** The answer as classified: the token for an answer, the errorType, `throttled`. */
  outcome?: string;
  ms?: number;
}

interface Sample {
  at: number;
  selfRssMB: number;
  serveRssMB: number;
  environments: number;
}

const minutes = Number(process.argv[process.argv.indexOf('--minutes') + 1]) || 2;
const gc = (globalThis as { gc?: () => void }).gc;

const project = makeSoakProject();
const calls: Call[] = [];
const failures: string[] = [];
const check = (ok: boolean, message: string) => ok || failures.push(message);

const rssOf = (pid: number | 'self') => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
const fdsOf = (pid: number | 'self') => fs.readdirSync(`/proc/${pid}/fd`).length;
const ppidOf = (pid: number) => {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
};
/** Handler processes whose parent is `owner` (they run in the project's code folder). */
const handlersOf = (owner: number) =>
  processesIn(path.join(project.dir, 'src')).filter((p) => {
    try {
      return ppidOf(p.pid) === owner;
    } catch {
      return false;
    }
  });

/** What each kind must answer; any call may also meet a killed environment, or a throttle. */
function expected(call: Call, outcome: string): boolean {
  if (outcome === 'Runtime.ExitError' || outcome === 'throttled') return true;
  const wanted: Record<Kind, string> = {
    ok: call.token,
    throw: 'Error',
    exit: 'Runtime.ExitError',
    timeout: 'Sandbox.Timedout',
    oom: 'Runtime.OutOfMemory',
  };
  return outcome === wanted[call.kind];
}

function classify(payload: Uint8Array | undefined, functionError: string | undefined): string {
  const body = JSON.parse(Buffer.from(payload ?? []).toString() || 'null');
  return functionError ? String(body?.errorType) : String(body?.token);
}

async function main() {
  console.log(`Lambda Lab soak — ${minutes} min, ${WORKERS_PER_TARGET} callers each in process and through serve, node ${process.version}`);
  const runtime = new LocalRuntime({ stateDir: path.join(project.dir, '.in-process'), watchCode: false, logRetention: 5 });
  await runtime.loadTemplate(project.template);
  const serve = spawn(process.execPath, [CLI, 'serve', '--template', project.template, '--port', '0', '--quiet'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let serveOut = '';
  let serveErr = '';
  serve.stdout!.on('data', (d: Buffer) => (serveOut += d));
  serve.stderr!.on('data', (d: Buffer) => (serveErr = (serveErr + d).slice(-20_000)));
  const url = await waitUntil('serve to listen', 30_000, () => /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(serveOut)?.[1]);
  const client = new LambdaClient({
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'soak', secretAccessKey: 'soak' },
    maxAttempts: 1,
  });

  const call = async (target: Target, kind: Kind) => {
    const c: Call = { token: crypto.randomUUID(), kind, target, answers: 0 };
    calls.push(c);
    const payload = JSON.stringify({ token: c.token });
    const started = performance.now();
    let outcome: string;
    try {
      if (target === 'runtime') {
        const r = await runtime.invoke(FUNCTION_OF[kind], payload);
        outcome = classify(r.payload, r.functionError);
      } else {
        const out = await client.send(new InvokeCommand({ FunctionName: FUNCTION_OF[kind], Payload: Buffer.from(payload) }));
        outcome = classify(out.Payload, out.FunctionError);
      }
    } catch (err) {
      const type = err instanceof LambdaServiceError ? err.type : (err as Error).name;
      outcome = type === 'TooManyRequestsException' ? 'throttled' : `exception ${type}: ${(err as Error).message}`;
    }
    c.answers++;
    c.outcome = outcome;
    c.ms = performance.now() - started;
  };

  /** No environment anywhere: every handler process gone and its owner done with it. */
  const quiesce = async () => {
    await runtime.stopEnvironments();
    for (const p of handlersOf(serve.pid!)) process.kill(p.pid, 'SIGKILL');
    await waitUntil('no handler process', 10_000, () => processesIn(project.dir).length === 0);
    await new Promise((r) => setTimeout(r, 1000));
    gc?.();
  };
  const listenerTotal = () =>
    (
      ['environmentStarted', 'environmentStopped', 'environmentStateChanged', 'invocationStarted', 'invocationEnded', 'log'] as Array<
        keyof RuntimeEvents
      >
    ).reduce((n, e) => n + runtime.listenerCount(e), 0);

  // Warm-up round: every kind once on each side, so lazily opened things are open before the baseline.
  for (const target of ['runtime', 'serve'] as const)
    for (const kind of ['ok', 'throw', 'exit', 'timeout', 'oom'] as const) await call(target, kind);
  await quiesce();
  const baseline = { selfFds: fdsOf('self'), serveFds: fdsOf(serve.pid!), listeners: listenerTotal() };

  const startedAt = Date.now();
  const deadline = startedAt + minutes * 60_000;
  const samples: Sample[] = [];
  const sampler = setInterval(() => {
    gc?.();
    samples.push({
      at: Date.now() - startedAt,
      selfRssMB: rssOf('self'),
      serveRssMB: rssOf(serve.pid!),
      environments: processesIn(path.join(project.dir, 'src')).length,
    });
  }, SAMPLE_MS);
  let kills = 0;
  const chaos = (async () => {
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 1000 + Math.random() * 2000));
      const victims = [...handlersOf(process.pid), ...handlersOf(serve.pid!)];
      const victim = victims[Math.floor(Math.random() * victims.length)];
      if (!victim) continue;
      try {
        process.kill(victim.pid, 'SIGKILL');
        kills++;
      } catch {
        // ended meanwhile
      }
    }
  })();
  const worker = async (target: Target) => {
    while (Date.now() < deadline) await call(target, pickKind());
  };
  await Promise.all([
    chaos,
    ...(['runtime', 'serve'] as const).flatMap((t) => Array.from({ length: WORKERS_PER_TARGET }, () => worker(t))),
  ]);
  clearInterval(sampler);
  const ranMs = Date.now() - startedAt;
  client.destroy();
  await quiesce();
  const end = { selfFds: fdsOf('self'), serveFds: fdsOf(serve.pid!), listeners: listenerTotal() };

  await runtime.dispose();
  serve.kill('SIGTERM');
  await new Promise((r) => serve.once('exit', r));
  let leftover = 0;
  try {
    await waitUntil('no process left', 5000, () => processesIn(project.dir).length === 0);
  } catch {
    leftover = processesIn(project.dir).length;
  }

  // Exactly once: every call settled once, with its own answer; the ledger shows no request ran twice.
  const ran = new Map<string, number>();
  for (const token of fs.readFileSync(project.ledger, 'utf8').split('\n').filter(Boolean)) ran.set(token, (ran.get(token) ?? 0) + 1);
  const unanswered = calls.filter((c) => c.answers !== 1);
  const unexpected = calls.filter((c) => c.answers === 1 && !expected(c, c.outcome!));
  const twice = [...ran.values()].filter((n) => n > 1).length;
  const okNotRun = calls.filter((c) => c.outcome === c.token && ran.get(c.token) !== 1).length;
  check(unanswered.length === 0, `${unanswered.length} calls not answered exactly once`);
  check(
    unexpected.length === 0,
    `${unexpected.length} unexpected answers, e.g. ${unexpected
      .slice(0, 3)
      .map((c) => `${c.target} ${c.kind}: ${c.outcome}`)
      .join('; ')}`,
  );
  check(twice === 0, `${twice} requests ran more than once`);
  check(okNotRun === 0, `${okNotRun} answered requests missing from the ledger`);
  check(leftover === 0, `${leftover} processes left after both owners ended`);
  check(end.selfFds <= baseline.selfFds + 2, `file descriptors in process: ${baseline.selfFds} → ${end.selfFds}`);
  check(end.serveFds <= baseline.serveFds + 2, `file descriptors in serve: ${baseline.serveFds} → ${end.serveFds}`);
  check(end.listeners === baseline.listeners, `runtime listeners: ${baseline.listeners} → ${end.listeners}`);
  check(!/MaxListenersExceeded/.test(serveErr), 'serve warned MaxListenersExceeded');

  // RSS flat after warm-up: the last third of the samples against the first third after warm-up.
  const warm = samples.filter((s) => s.at >= ranMs * WARM_UP);
  const third = Math.max(1, Math.floor(warm.length / 3));
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
  const rss = (key: 'selfRssMB' | 'serveRssMB') => ({
    early: med(warm.slice(0, third).map((s) => s[key])),
    late: med(warm.slice(-third).map((s) => s[key])),
  });
  for (const [label, key] of [
    ['in process', 'selfRssMB'],
    ['serve', 'serveRssMB'],
  ] as const) {
    const { early, late } = rss(key);
    check(late <= early * 1.2 + 16, `RSS ${label} grew after warm-up: ${early.toFixed(0)} → ${late.toFixed(0)} MB`);
  }

  const byOutcome = new Map<string, number>();
  for (const c of calls) {
    const label = c.outcome === c.token ? 'answered' : c.outcome!;
    byOutcome.set(`${c.target} ${label}`, (byOutcome.get(`${c.target} ${label}`) ?? 0) + 1);
  }
  const latencies = (target: Target) =>
    calls
      .filter((c) => c.target === target && c.kind === 'ok' && c.outcome === c.token)
      .map((c) => c.ms!)
      .sort((a, b) => a - b);
  console.log(
    `\nran ${(ranMs / 1000).toFixed(0)} s, ${calls.length} requests (${(calls.length / (ranMs / 1000)).toFixed(0)}/s), ${kills} handler processes killed with SIGKILL`,
  );
  for (const target of ['runtime', 'serve'] as const) {
    const l = latencies(target);
    console.log(
      `  ${target.padEnd(7)} answers: median ${l[Math.floor(l.length / 2)]?.toFixed(2)} ms, p99 ${l[Math.floor(l.length * 0.99)]?.toFixed(2)} ms`,
    );
  }
  for (const [label, n] of [...byOutcome].sort()) console.log(`  ${label.padEnd(40)} ${n}`);
  console.log(
    `  answered exactly once: ${calls.length - unanswered.length}/${calls.length}; ran twice: ${twice}; processes left: ${leftover}`,
  );
  console.log(
    `  file descriptors: in process ${baseline.selfFds} → ${end.selfFds}, serve ${baseline.serveFds} → ${end.serveFds}; runtime listeners ${baseline.listeners} → ${end.listeners}`,
  );
  const self = rss('selfRssMB');
  const served = rss('serveRssMB');
  console.log(
    `  RSS after warm-up (MB, early → late median): in process ${self.early.toFixed(0)} → ${self.late.toFixed(0)}, serve ${served.early.toFixed(0)} → ${served.late.toFixed(0)}`,
  );
  console.log(
    `  RSS samples (s: in process / serve / handler processes): ${samples.map((s) => `${Math.round(s.at / 1000)}:${s.selfRssMB.toFixed(0)}/${s.serveRssMB.toFixed(0)}/${s.environments}`).join(' ')}`,
  );
  fs.rmSync(project.dir, { recursive: true, force: true });
  if (failures.length) {
    console.log(`\nFAILED:\n  ${failures.join('\n  ')}`);
    process.exitCode = 1;
  } else {
    console.log('\nall checks passed');
  }
}

void main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
