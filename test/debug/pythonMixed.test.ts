// One session debugging a Node function that invokes a Python function through the local
// Lambda API: both environments are threads of the session, and the user steps in each.
import * as assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { PythonAwareDebugSession } from '../../src/debug/python/pythonDebugSession';
import type { RuntimeHost } from '../../src/debug/runtimeHost';
import { startLambdaApiServer, type LambdaApiServer } from '../../src/runtime/lambdaApi/lambdaApiServer';
import { LocalRuntime } from '../../src/runtime/localRuntime';
import { DeploymentStore } from '../../src/runtime/versions/deploymentStore';
import { PYTHON } from '../integration/pythonHarness';
import { DebugHarness, ensureAdapterBuilt } from './debugHarness';
import { debugpyMissing } from './pythonProject';

const FIXTURE = path.resolve(__dirname, '../fixtures/python/mixed');

describe('debug adapter: a Node function invoking a Python function', function () {
  this.timeout(90_000);
  let dir: string;
  let runtime: LocalRuntime;
  let api: LambdaApiServer;
  let server: net.Server;
  let h: DebugHarness;
  const savedEndpoint = process.env.AWS_ENDPOINT_URL_LAMBDA;

  before(function () {
    const missing = debugpyMissing();
    if (missing) {
      console.log(`      skipped: ${missing}`);
      this.skip();
    }
    ensureAdapterBuilt();
  });
  beforeEach(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'lambda-lab-mixed-'));
    cpSync(FIXTURE, dir, { recursive: true });
    mkdirSync(path.join(dir, '.venv', 'bin'), { recursive: true });
    writeFileSync(path.join(dir, '.venv', 'pyvenv.cfg'), `home = ${path.dirname(PYTHON)}\ninclude-system-site-packages = true\n`);
    symlinkSync(PYTHON, path.join(dir, '.venv', 'bin', 'python3'));
    runtime = new LocalRuntime({ stateDir: path.join(dir, '.lambda-lab'), watchCode: false });
    const deployment = new DeploymentStore(runtime, { stateDir: path.join(dir, '.lambda-lab') });
    await deployment.attach();
    await runtime.loadTemplate(path.join(dir, 'template.yaml'));
    // The fixture calls the API with fetch, unsigned (an SDK would sign; any credentials do).
    api = await startLambdaApiServer(runtime, { port: 0, deployment, allowUnsigned: true });
    // The host variable the SDKs read; the runtime passes AWS_ENDPOINT_URL* through to functions.
    process.env.AWS_ENDPOINT_URL_LAMBDA = api.url;
    const host: RuntimeHost = { getRuntime: async () => runtime };
    server = net.createServer((socket) => {
      const session = new PythonAwareDebugSession(host);
      session.setRunAsServer(true);
      session.start(socket, socket);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    h = await DebugHarness.start((server.address() as net.AddressInfo).port);
  });
  afterEach(async () => {
    if (savedEndpoint === undefined) delete process.env.AWS_ENDPOINT_URL_LAMBDA;
    else process.env.AWS_ENDPOINT_URL_LAMBDA = savedEndpoint;
    await h.stop();
    server.close();
    await api.close();
    await runtime.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stops in the Node caller, then in the Python callee, stepping in both, in one session', async () => {
    const orders = path.join(dir, 'src', 'orders.js');
    const pricing = path.join(dir, 'src', 'pricing.py');
    await h.configure('attach', { functions: 'all' }, { [orders]: [5, 7], [pricing]: [7] });
    const invoked = runtime.invoke('Orders', JSON.stringify({ id: 'o-1', items: ['tea', 'cup'] }));

    const inNode = await h.stopped();
    assert.equal((await h.location(inNode.body.threadId!)).line, 5);
    await h.dc.continueRequest({ threadId: inNode.body.threadId! });

    const inPython = await h.stopped();
    assert.notEqual(inPython.body.threadId, inNode.body.threadId);
    assert.deepEqual(await h.location(inPython.body.threadId!), { file: pricing, line: 7, name: 'handler' });
    const threads = (await h.dc.threadsRequest()).body.threads.map((t) => t.name).sort();
    assert.deepEqual(threads, ['Orders $LATEST #1', 'Pricing $LATEST #1']);
    await h.dc.nextRequest({ threadId: inPython.body.threadId! });
    const stepped = await h.stopped((e) => e.body.threadId === inPython.body.threadId);
    assert.equal((await h.location(stepped.body.threadId!)).line, 8);
    const locals = await h.locals((await h.topFrame(stepped.body.threadId!)).id);
    assert.equal(locals.get('items')?.value, "['tea', 'cup']");
    await h.dc.continueRequest({ threadId: stepped.body.threadId! });

    const backInNode = await h.stopped((e) => e.body.threadId === inNode.body.threadId);
    assert.equal((await h.location(backInNode.body.threadId!)).line, 7);
    await h.dc.nextRequest({ threadId: backInNode.body.threadId! });
    const nodeStep = await h.stopped((e) => e.body.threadId === inNode.body.threadId);
    const nodeLocals = await h.locals((await h.topFrame(nodeStep.body.threadId!)).id);
    assert.equal(nodeLocals.get('priced')?.value, '{total: "16.60"}');
    await h.dc.continueRequest({ threadId: nodeStep.body.threadId! });

    const result = await invoked;
    assert.deepEqual(JSON.parse(result.payload.toString()), { order: 'o-1', total: '16.60' });
  });

  it('detaching leaves a Python environment serving, undebugged and frozen between invokes again', async () => {
    const pricing = path.join(dir, 'src', 'pricing.py');
    await h.configure('attach', { functions: ['Pricing'] }, { [pricing]: [7] });
    const invoked = runtime.invoke('Pricing', JSON.stringify({ items: ['tea'] }));
    const stop = await h.stopped();
    await h.dc.continueRequest({ threadId: stop.body.threadId! });
    const first = await invoked;
    await h.dc.disconnectRequest({});
    const after = await runtime.invoke('Pricing', JSON.stringify({ items: ['cup'] })); // would wait at the breakpoint if still debugged
    assert.equal(after.environmentId, first.environmentId, 'the same environment goes on serving');
    assert.deepEqual(JSON.parse(after.payload.toString()), { total: '12.50' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(runtime.environments('Pricing')[0].state, 'frozen');
  });
});
