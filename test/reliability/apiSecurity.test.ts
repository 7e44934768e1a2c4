// The local Lambda API against hostile requests, over real HTTP to a real `serve` process:
// DNS rebinding (foreign Host), web pages (Origin, Sec-Fetch-Site, text/plain form posts),
// unsigned requests, traversal names, malformed escapes, bad client contexts — none may be
// served, read files, crash serve or strand an environment; the AWS CLI and SDK still work.
import { CreateAliasCommand, InvokeCommand, ListLayersCommand, PublishVersionCommand } from '@aws-sdk/client-lambda';
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cliBuilt, makeProject, rawRequest, SIGNED, startServe, type ServeProcess } from './stateHelpers';

const run = promisify(execFile);

/** The AWS CLI, when installed, with throwaway credentials and no retries. */
async function awsCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = {
    ...process.env,
    AWS_ACCESS_KEY_ID: 'AKIDLOCAL',
    AWS_SECRET_ACCESS_KEY: 'x',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_MAX_ATTEMPTS: '1',
    AWS_PAGER: '',
  };
  try {
    const { stdout, stderr } = await run('aws', args, { env, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number | string; stdout?: string; stderr?: string };
    if (e.code === 'ENOENT') throw Object.assign(new Error('aws CLI not installed'), { missing: true });
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

const errorType = (r: { headers: Record<string, unknown> }) => r.headers['x-amzn-errortype'];

describe('the local Lambda API refuses web pages, foreign hosts and malformed requests (reliability)', function () {
  this.timeout(120_000);
  let dir: string;
  let serve: ServeProcess;

  before(async function () {
    if (!cliBuilt()) this.skip();
    dir = makeProject();
    // A JSON file outside the state folder that a traversal would read and echo.
    mkdirSync(join(dir, 'secret'));
    writeFileSync(join(dir, 'secret', 'keys.json'), JSON.stringify({ layerName: 'stolen', versions: [{ secret: 'AKIA-SECRET' }] }));
    serve = await startServe(dir);
  });
  after(async () => {
    await serve?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const invokePath = '/2015-03-31/functions/echo/invocations';
  const signed = { Authorization: SIGNED, 'Content-Type': 'application/json' };

  it('refuses a request addressed to another host name (DNS rebinding), on any route', async () => {
    for (const host of ['rebind.evil.example', `rebind.evil.example:${serve.port}`, `localhost:${serve.port + 1}`]) {
      const r = await rawRequest(serve.url, { method: 'POST', path: invokePath, headers: { ...signed, Host: host }, body: '{}' });
      assert.equal(r.status, 403, `Host ${host}: ${r.status} ${r.body}`);
      assert.equal(errorType(r), 'AccessDeniedException');
      assert.doesNotMatch(r.body, /evil\.example\/lambda-lab/);
    }
    const viaRebind = await rawRequest(serve.url, {
      path: '/2015-03-31/functions/echo',
      headers: { Authorization: SIGNED, Host: `rebind.evil.example:${serve.port}` },
    });
    assert.equal(viaRebind.status, 403, 'GetFunction through a rebound name must not hand out a Code.Location on the attacker host');
    for (const host of [`127.0.0.1:${serve.port}`, `localhost:${serve.port}`]) {
      const r = await rawRequest(serve.url, { method: 'POST', path: invokePath, headers: { ...signed, Host: host }, body: '{"n":1}' });
      assert.equal(r.status, 200, `Host ${host}: ${r.body}`);
    }
  });

  it('bound to every interface, still refuses host names that are not its own, but takes address literals', async () => {
    const wide = await startServe(dir, ['--host', '0.0.0.0', '--allow-host', 'lambda.internal']);
    try {
      const foreign = await rawRequest(wide.url, {
        method: 'POST',
        path: invokePath,
        headers: { ...signed, Host: `rebind.evil.example:${wide.port}` },
        body: '{}',
      });
      assert.equal(foreign.status, 403);
      for (const host of [`127.0.0.1:${wide.port}`, `10.1.2.3:${wide.port}`, `lambda.internal:${wide.port}`]) {
        const r = await rawRequest(wide.url, { method: 'POST', path: invokePath, headers: { ...signed, Host: host }, body: '{}' });
        assert.equal(r.status, 200, `Host ${host}: ${r.body}`);
      }
    } finally {
      await wide.stop();
    }
  });

  it('refuses browser requests: any Origin, a cross-site Sec-Fetch-Site, and unsigned text/plain form posts', async () => {
    const before = await serve.client.send(new InvokeCommand({ FunctionName: 'echo' }));
    assert.equal(before.StatusCode, 200);
    const cases: Record<string, string>[] = [
      { ...signed, Origin: 'https://evil.example' },
      { ...signed, Origin: 'null' },
      { ...signed, 'Sec-Fetch-Site': 'cross-site' },
      { 'Content-Type': 'text/plain;charset=UTF-8', Origin: 'https://evil.example' },
      { 'Content-Type': 'text/plain' },
    ];
    for (const headers of cases) {
      const r = await rawRequest(serve.url, { method: 'POST', path: '/2015-03-31/functions/echo/versions', headers, body: '{}' });
      assert.equal(r.status, 403, `${JSON.stringify(headers)} → ${r.status} ${r.body}`);
    }
    // Nothing was published by any of them.
    const first = await serve.client.send(new PublishVersionCommand({ FunctionName: 'echo' }));
    assert.equal(first.Version, '1');
  });

  it('answers unsigned requests as Lambda does (403 MissingAuthenticationTokenException) while any SigV4 credentials work', async () => {
    const r = await rawRequest(serve.url, {
      method: 'POST',
      path: invokePath,
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    });
    assert.equal(r.status, 403);
    assert.equal(errorType(r), 'MissingAuthenticationTokenException');
    assert.deepEqual(JSON.parse(r.body), { message: 'Missing Authentication Token' });
    const ok = await rawRequest(serve.url, { method: 'POST', path: invokePath, headers: signed, body: '{}' });
    assert.equal(ok.status, 200);
  });

  it('serves curl with --allow-unsigned, JSON bodies only', async () => {
    const open = await startServe(dir, ['--allow-unsigned']);
    try {
      const ok = await rawRequest(open.url, {
        method: 'POST',
        path: invokePath,
        headers: { 'Content-Type': 'application/json' },
        body: '{"curl":true}',
      });
      assert.equal(ok.status, 200, ok.body);
      assert.deepEqual((JSON.parse(ok.body) as { event: unknown }).event, { curl: true });
      const form = await rawRequest(open.url, { method: 'POST', path: invokePath, headers: { 'Content-Type': 'text/plain' }, body: '{}' });
      assert.equal(form.status, 403);
      const page = await rawRequest(open.url, {
        method: 'POST',
        path: invokePath,
        headers: { 'Content-Type': 'application/json', Origin: 'https://evil.example' },
        body: '{}',
      });
      assert.equal(page.status, 403);
    } finally {
      await open.stop();
    }
  });

  it('validates names, ARNs and qualifiers against Lambda patterns before touching files', async () => {
    const get = (path: string) => rawRequest(serve.url, { path, headers: { Authorization: SIGNED } });
    const traversals = [
      '/2018-10-31/layers/..%2f..%2fsecret%2fkeys/versions',
      '/2018-10-31/layers/..%2F..%2Fsecret%2Fkeys/versions/1',
      '/2015-03-31/functions/..%2f..%2fsecret%2fkeys/configuration',
      '/2015-03-31/functions/echo/aliases/..%2f..%2fsecret',
      '/2015-03-31/functions/echo/configuration?Qualifier=..%2f..%2fsecret',
      '/2018-10-31/layers?find=LayerVersion&Arn=arn:aws:lambda:us-east-1:123456789012:layer:..%2f..%2fsecret%2fkeys:1',
    ];
    for (const path of traversals) {
      const r = await get(path);
      assert.equal(r.status, 400, `${path} → ${r.status} ${r.body}`);
      assert.equal(errorType(r), 'ValidationException', path);
      assert.match(r.body, /failed to satisfy constraint/);
      assert.doesNotMatch(r.body, /AKIA-SECRET|stolen/);
    }
    const dots = await get('/2015-03-31/functions/../configuration');
    assert.notEqual(dots.status, 200);
    assert.equal((await get('/2015-03-31/functions/no-such-fn/configuration')).status, 404);
    // ListLayers still works afterwards and knows nothing of the secret file.
    const layers = await serve.client.send(new ListLayersCommand({}));
    assert.deepEqual(
      layers.Layers!.map((l) => l.LayerName),
      ['shared'],
    );
  });

  it('answers a malformed percent-escape with 400, not 500', async () => {
    for (const path of [
      '/2015-03-31/functions/%E0%A4%A/configuration',
      '/2015-03-31/functions/echo%/invocations',
      '/2018-10-31/layers/%ZZ/versions',
    ]) {
      const r = await rawRequest(serve.url, { method: path.endsWith('invocations') ? 'POST' : 'GET', path, headers: signed, body: '{}' });
      assert.equal(r.status, 400, `${path} → ${r.status} ${r.body}`);
    }
  });

  it('refuses alias weights given as an array and a negative Marker as Lambda does', async () => {
    const weights = await rawRequest(serve.url, {
      method: 'POST',
      path: '/2015-03-31/functions/echo/aliases',
      headers: signed,
      body: JSON.stringify({ Name: 'weighted', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: [0.5] } }),
    });
    assert.equal(weights.status, 400, weights.body);
    assert.equal(errorType(weights), 'InvalidParameterValueException');
    for (const body of [
      { Name: '123', FunctionVersion: '1' },
      { Name: 'ok-name', FunctionVersion: 'latest' },
      { Name: 'ok-name', FunctionVersion: '1', Description: 'x'.repeat(257) },
    ]) {
      const r = await rawRequest(serve.url, {
        method: 'POST',
        path: '/2015-03-31/functions/echo/aliases',
        headers: signed,
        body: JSON.stringify(body),
      });
      assert.equal(r.status, 400, `${JSON.stringify(body).slice(0, 80)} → ${r.body}`);
      assert.equal(errorType(r), 'ValidationException');
    }
    const marker = await rawRequest(serve.url, { path: '/2015-03-31/functions?Marker=-5', headers: { Authorization: SIGNED } });
    assert.equal(marker.status, 400, marker.body);
    const maxItems = await rawRequest(serve.url, { path: '/2015-03-31/functions?MaxItems=0', headers: { Authorization: SIGNED } });
    assert.equal(maxItems.status, 400, maxItems.body);
    assert.equal(errorType(maxItems), 'ValidationException');
    await serve.client.send(new CreateAliasCommand({ FunctionName: 'echo', Name: 'fine', FunctionVersion: '1' }));
  });

  it('checks InvocationType and LogType against their enums, and reserved concurrency against its range', async () => {
    const type = await rawRequest(serve.url, {
      method: 'POST',
      path: invokePath,
      headers: { ...signed, 'X-Amz-Invocation-Type': 'Sometimes' },
      body: '{}',
    });
    assert.equal(type.status, 400, type.body);
    assert.equal(errorType(type), 'ValidationException');
    assert.match(
      type.body,
      /at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: \[Event, RequestResponse, DryRun\]/,
    );
    const log = await rawRequest(serve.url, {
      method: 'POST',
      path: invokePath,
      headers: { ...signed, 'X-Amz-Log-Type': 'All' },
      body: '{}',
    });
    assert.equal(errorType(log), 'ValidationException');
    const negative = await rawRequest(serve.url, {
      method: 'PUT',
      path: '/2017-10-31/functions/echo/concurrency',
      headers: signed,
      body: JSON.stringify({ ReservedConcurrentExecutions: -1 }),
    });
    assert.equal(negative.status, 400, negative.body);
    assert.match(negative.body, /Member must have value greater than or equal to 0/);
  });

  it('answers every route with malformed parameters and bodies without a 5xx, and keeps serving', async () => {
    const routes = [
      'GET /2015-03-31/functions/{}',
      'GET /2015-03-31/functions/{}/configuration?Qualifier={}',
      'POST /2015-03-31/functions/{}/invocations?Qualifier={}',
      'POST /2015-03-31/functions/{}/versions',
      'GET /2015-03-31/functions/{}/versions?Marker={}&MaxItems={}',
      'POST /2015-03-31/functions/{}/aliases',
      'GET /2015-03-31/functions/{}/aliases?FunctionVersion={}',
      'GET /2015-03-31/functions/echo/aliases/{}',
      'PUT /2015-03-31/functions/echo/aliases/{}',
      'DELETE /2015-03-31/functions/{}/aliases/{}',
      'PUT /2017-10-31/functions/{}/concurrency',
      'GET /2019-09-30/functions/{}/concurrency',
      'GET /2018-10-31/layers?find=LayerVersion&Arn={}',
      'GET /2018-10-31/layers?CompatibleRuntime={}&Marker={}',
      'GET /2018-10-31/layers/{}/versions',
      'GET /2018-10-31/layers/shared/versions/{}',
      'GET /lambda-lab/code/{}',
      'GET /2015-03-31/functions?Marker={}&MaxItems={}',
    ];
    const values = [
      '%',
      '%00',
      '..',
      '.',
      'a'.repeat(300),
      '$LATEST',
      '-1',
      '1e99',
      'arn:aws:lambda:::',
      '%C3%A9',
      '%2F%2E%2E',
      'echo:%24LATEST',
    ];
    const bodies = [
      '',
      '{',
      '[]',
      'null',
      '"x"',
      '{"Name":7,"FunctionVersion":[]}',
      '{"RoutingConfig":[1]}',
      '{"RoutingConfig":{"AdditionalVersionWeights":{"1":"x"}}}',
      '{"ReservedConcurrentExecutions":"x"}',
      '{"ReservedConcurrentExecutions":1e400}',
    ];
    const failures: string[] = [];
    for (const route of routes) {
      const [method, template] = route.split(' ');
      for (const value of values) {
        const path = template.replace(/\{\}/g, value);
        for (const body of method === 'GET' || method === 'DELETE' ? [''] : bodies) {
          const r = await rawRequest(serve.url, { method, path, headers: signed, body });
          if (r.status >= 500 || r.status === 0) failures.push(`${method} ${path} ${body} → ${r.status} ${r.body.slice(0, 200)}`);
        }
      }
    }
    assert.deepEqual(failures, []);
    assert.equal(serve.child.exitCode, null);
    assert.equal((await serve.client.send(new InvokeCommand({ FunctionName: 'echo' }))).StatusCode, 200);
  });

  it('answers an invalid --client-context with 400 on cold and warm functions, and serve keeps serving', async function () {
    const cold = 'other';
    const bad = ['not base64!', Buffer.from('not json').toString('base64'), Buffer.from('[1,2]').toString('base64'), 'bad; X-Injected: 1'];
    for (const fn of [cold, 'echo']) {
      for (const context of bad) {
        const r = await rawRequest(serve.url, {
          method: 'POST',
          path: `/2015-03-31/functions/${fn}/invocations`,
          headers: { ...signed, 'X-Amz-Client-Context': context },
          body: '{}',
        });
        assert.equal(r.status, 400, `${fn} ${JSON.stringify(context)} → ${r.status} ${r.body}`);
        assert.equal(errorType(r), 'InvalidRequestContentException');
        assert.match(r.body, /Client context must be a valid Base64-encoded JSON object/);
      }
    }
    let cli: Awaited<ReturnType<typeof awsCli>>;
    try {
      cli = await awsCli([
        'lambda',
        'invoke',
        '--endpoint-url',
        serve.url,
        '--function-name',
        'sleeper',
        '--client-context',
        'definitely not base64',
        '/dev/null',
      ]);
    } catch (err) {
      if ((err as { missing?: boolean }).missing) return this.skip();
      throw err;
    }
    assert.notEqual(cli.code, 0);
    assert.match(cli.stderr, /InvalidRequestContentException/);
    // serve is alive and no environment is stuck busy: every function still answers.
    assert.equal(serve.child.exitCode, null);
    for (const fn of ['other', 'echo', 'sleeper']) {
      const ok = await serve.client.send(
        new InvokeCommand({ FunctionName: fn, ClientContext: Buffer.from('{"custom":{"a":1}}').toString('base64') }),
      );
      assert.equal(ok.StatusCode, 200, fn);
      assert.equal(ok.FunctionError, undefined, fn);
    }
  });
});
