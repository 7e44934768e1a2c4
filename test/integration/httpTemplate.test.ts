// Reading the HTTP front doors out of templates (implicit APIs with Globals, OpenAPI bodies,
// plain CloudFormation APIs and stages, AWS::Lambda::Url) and resolving routes by precedence.
import * as assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpFrontDoors } from '../../src/runtime/http/frontDoors';
import { RouteTable } from '../../src/runtime/http/routeTable';
import { LocalRuntime } from '../../src/runtime/localRuntime';
import type { RouteConfig } from '../../src/runtime/template/httpModel';

const route = (method: string, path: string): RouteConfig => ({
  method,
  path,
  functionId: `${method} ${path}`,
  payloadFormat: '2.0',
  timeoutMs: 30_000,
  authorizationScopes: [],
  apiKeyRequired: false,
  source: 'test',
});

describe('HTTP front doors: templates and routes (integration)', function () {
  this.timeout(60_000);
  let runtime: LocalRuntime;
  let stateDir: string;

  before(() => {
    stateDir = mkdtempSync(join(tmpdir(), 'lambda-lab-http-template-'));
    runtime = new LocalRuntime({ stateDir, freeze: false, watchCode: false });
  });
  after(async () => {
    await runtime.dispose();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('route precedence: literal > {param} > {greedy+}, exact method > ANY, $default last', () => {
    const table = new RouteTable([
      route('ANY', '$default'),
      route('ANY', '/{proxy+}'),
      route('GET', '/items/{id}'),
      route('ANY', '/items/{id}'),
      route('GET', '/items/special'),
      route('GET', '/items/{id}/{rest+}'),
    ]);
    const hit = (method: string, path: string) => table.match(method, path)?.route.functionId;
    assert.equal(hit('GET', '/items/special'), 'GET /items/special');
    assert.equal(hit('GET', '/items/7'), 'GET /items/{id}');
    assert.equal(hit('POST', '/items/7'), 'ANY /items/{id}');
    assert.equal(hit('GET', '/items/7/a/b'), 'GET /items/{id}/{rest+}');
    assert.deepEqual(table.match('GET', '/items/7/a/b')?.pathParameters, { id: '7', rest: 'a/b' });
    assert.equal(hit('GET', '/other/x'), 'ANY /{proxy+}');
    assert.equal(hit('GET', '/'), 'ANY $default', 'a greedy path needs at least one segment');
    assert.deepEqual(table.match('GET', '/items/a%2Fb')?.pathParameters, { id: 'a/b' });
  });

  it('reads implicit, OpenAPI, plain CloudFormation APIs and AWS::Lambda::Url', async () => {
    const model = await runtime.loadTemplate(join(__dirname, '../fixtures/http/openapi/template.yaml'));
    const apis = Object.fromEntries((model.http?.apis ?? []).map((a) => [a.logicalId, a]));
    assert.deepEqual(Object.keys(apis).sort(), ['OpenApi', 'PlainHttpApi', 'PlainRestApi', 'ServerlessRestApi']);
    const implicit = apis.ServerlessRestApi;
    assert.equal(implicit.kind, 'rest');
    assert.equal(implicit.stageName, 'Prod');
    assert.deepEqual(implicit.cors?.allowOrigins, ['*'], 'Globals.Api applies to the implicit API');
    assert.deepEqual(implicit.binaryMediaTypes, ['application/octet-stream']);
    assert.deepEqual(
      implicit.routes.map((r) => `${r.method} ${r.path}`),
      ['GET /hello'],
    );
    assert.deepEqual(
      apis.OpenApi.routes.map((r) => `${r.method} ${r.path} → ${r.functionId}`),
      ['GET /pets/{petId} → AppFunction', 'ANY /{proxy+} → AppFunction'],
    );
    assert.equal(apis.OpenApi.stageName, 'v2');
    assert.ok(model.diagnostics.some((d) => d.resource === 'OpenApi' && /GET \/elsewhere: only Lambda proxy integrations/.test(d.message)));
    assert.equal(apis.PlainRestApi.stageName, 'live');
    assert.deepEqual(apis.PlainRestApi.stageVariables, { tier: 'gold' });
    assert.deepEqual(
      apis.PlainRestApi.routes.map((r) => `${r.method} ${r.path}`),
      ['POST /orders'],
    );
    assert.equal(apis.PlainHttpApi.kind, 'http');
    assert.deepEqual(
      apis.PlainHttpApi.routes.map((r) => `${r.method} ${r.path} ${r.payloadFormat} ${r.authorizer ?? '-'}`),
      ['GET /secure 2.0 jwt', 'GET /cognito 2.0 custom', 'ANY $default 1.0 -'],
    );
    assert.deepEqual(apis.PlainHttpApi.authorizers, [
      {
        kind: 'jwt',
        name: 'jwt',
        identitySources: ['$request.header.Authorization'],
        issuer: 'https://issuer.example.com',
        audiences: ['openapi'],
      },
    ]);
    assert.ok(model.diagnostics.some((d) => /authorizer custom: type cognito_user_pools is not emulated/.test(d.message)));
    assert.deepEqual(model.http?.functionUrls, [
      { functionId: 'AppFunction', authType: 'NONE', invokeMode: 'BUFFERED', cors: undefined, qualifier: undefined },
    ]);
  });

  it('serves a plain RestApi under its Stage resource, with its stage variables', async () => {
    const doors = await HttpFrontDoors.start(runtime, { port: 0 });
    try {
      const plain = doors.apiServers().find((s) => s.config.logicalId === 'PlainRestApi')!;
      assert.match(plain.url, /\/live$/);
      const res = await fetch(`${plain.url}/orders`, { method: 'POST', body: 'x' });
      assert.equal(res.status, 200);
      const event = (await res.json()) as { stageVariables: unknown; requestContext: { stage: string; path: string } };
      assert.deepEqual(event.stageVariables, { tier: 'gold' });
      assert.equal(event.requestContext.stage, 'live');
      assert.equal(event.requestContext.path, '/live/orders');
      const wrongMethod = await fetch(`${plain.url}/orders`);
      assert.equal(wrongMethod.status, 403);
      const http = doors.apiServers().find((s) => s.config.logicalId === 'PlainHttpApi')!;
      assert.equal((await fetch(`${http.url}/secure`)).status, 401, 'the OpenAPI JWT authorizer guards the route');
      assert.equal((await fetch(`${http.url}/cognito`)).status, 500, 'an authorizer that cannot be emulated refuses rather than opens');
      assert.equal((await fetch(`${http.url}/anything`)).status, 200);
    } finally {
      await doors.close();
    }
  });

  it('a reloaded template changes routes on the same port; a dropped function URL stops', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lambda-lab-http-reload-'));
    cpSync(join(__dirname, '../fixtures/http/openapi'), dir, { recursive: true });
    const template = join(dir, 'template.yaml');
    const own = new LocalRuntime({ stateDir: join(dir, '.state'), freeze: false, watchCode: false });
    await own.loadTemplate(template);
    const doors = await HttpFrontDoors.start(own, { port: 0 });
    try {
      const implicit = () => doors.apiServers().find((s) => s.config.logicalId === 'ServerlessRestApi')!;
      const port = implicit().port;
      assert.equal((await fetch(`${implicit().url}/goodbye`)).status, 403);
      const url = doors.getUrl('AppFunction')!.url;
      writeFileSync(
        template,
        readFileSync(template, 'utf8')
          .replace('Path: /hello', 'Path: /goodbye')
          .replace(/  AppUrl:[\s\S]*$/, ''),
      );
      await own.loadTemplate(template);
      await doors.settled();
      assert.equal(implicit().port, port);
      assert.equal((await fetch(`${implicit().url}/goodbye`)).status, 200);
      assert.equal((await fetch(`${implicit().url}/hello`)).status, 403);
      assert.equal(doors.getUrl('AppFunction'), undefined);
      await assert.rejects(fetch(url), /fetch failed/);
    } finally {
      await doors.close();
      await own.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
