// API Gateway events as functions receive them, through real clients (curl, Node's fetch)
// against the real servers, compared field by field with AWS's documented examples
// ("Input format of a Lambda function for proxy integration", "Working with AWS Lambda proxy
// integrations for HTTP APIs" — payload 1.0 and 2.0; "Lambda function URL request payload").
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { SignatureV4 } from '@smithy/signature-v4';
import { startHttpHarness, type HttpHarness } from '../fixtures/http/httpHarness';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The keys of AWS's documented 1.0 (REST) example event, in its order. */
const V1_KEYS = [
  'resource',
  'path',
  'httpMethod',
  'headers',
  'multiValueHeaders',
  'queryStringParameters',
  'multiValueQueryStringParameters',
  'pathParameters',
  'stageVariables',
  'requestContext',
  'body',
  'isBase64Encoded',
];
const V1_CONTEXT_KEYS = [
  'accountId',
  'apiId',
  'domainName',
  'domainPrefix',
  'extendedRequestId',
  'httpMethod',
  'identity',
  'path',
  'protocol',
  'requestId',
  'requestTime',
  'requestTimeEpoch',
  'resourceId',
  'resourcePath',
  'stage',
];
const V1_IDENTITY_KEYS = [
  'accessKey',
  'accountId',
  'caller',
  'cognitoAuthenticationProvider',
  'cognitoAuthenticationType',
  'cognitoIdentityId',
  'cognitoIdentityPoolId',
  'principalOrgId',
  'sourceIp',
  'user',
  'userAgent',
  'userArn',
];
/** The keys of AWS's documented 2.0 example (all optional parts present). */
const V2_KEYS = [
  'version',
  'routeKey',
  'rawPath',
  'rawQueryString',
  'cookies',
  'headers',
  'queryStringParameters',
  'requestContext',
  'body',
  'pathParameters',
  'isBase64Encoded',
  'stageVariables',
];
const V2_CONTEXT_KEYS = ['accountId', 'apiId', 'domainName', 'domainPrefix', 'http', 'requestId', 'routeKey', 'stage', 'time', 'timeEpoch'];

async function fetchJson(url: string, init?: RequestInit): Promise<Json> {
  return (await (await fetch(url, init)).json()) as Json;
}

/** The hash SignatureV4 wants, from node's crypto. */
class Sha256 {
  private readonly hash = createHash('sha256');
  update(data: string | Uint8Array): void {
    this.hash.update(data);
  }
  async digest(): Promise<Uint8Array> {
    return this.hash.digest();
  }
}

const REQUEST_TIME = /^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/;

/** curl in its own process (the servers share this one's event loop, so never a synchronous call). */
async function curl(args: string[]): Promise<{ status: number; headers: string; body: string }> {
  const { stdout: out } = await promisify(execFile)('curl', ['-sS', '-D', '-', ...args], { encoding: 'utf8' });
  const split = out.indexOf('\r\n\r\n');
  const head = out.slice(0, split);
  return { status: Number(/^HTTP\/[\d.]+ (\d+)/.exec(head)?.[1]), headers: head, body: out.slice(split + 4) };
}

describe('HTTP front doors: events (integration)', function () {
  this.timeout(60_000);
  let h: HttpHarness;

  before(async () => {
    h = await startHttpHarness();
  });
  after(() => h?.stop());

  it('REST API (1.0): every documented field, multi-value headers and query strings, stage prefix, path parameters', async () => {
    const rest = h.api('RestApi');
    assert.match(rest, /\/dev$/);
    const r = await curl(['-H', 'X-Dup: one', '-H', 'X-Dup: two', '-H', 'User-Agent: curl-test', `${rest}/items/a%20b?q=1&q=2&single=x`]);
    assert.equal(r.status, 200);
    const e = JSON.parse(r.body) as Json;
    assert.deepEqual(Object.keys(e), V1_KEYS);
    assert.deepEqual(Object.keys(e.requestContext), V1_CONTEXT_KEYS);
    assert.deepEqual(Object.keys(e.requestContext.identity).sort(), V1_IDENTITY_KEYS);
    assert.equal(e.resource, '/items/{id}');
    assert.equal(e.path, '/items/a b');
    assert.equal(e.httpMethod, 'GET');
    assert.equal(e.headers['X-Dup'], 'two', 'single-value map holds the last value');
    assert.deepEqual(e.multiValueHeaders['X-Dup'], ['one', 'two']);
    assert.equal(e.headers['User-Agent'], 'curl-test', 'header names keep the client case');
    assert.match(e.headers['X-Amzn-Trace-Id'], /^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    assert.equal(e.headers['X-Forwarded-For'], '127.0.0.1');
    assert.equal(e.headers['X-Forwarded-Proto'], 'http');
    assert.deepEqual(e.queryStringParameters, { q: '2', single: 'x' });
    assert.deepEqual(e.multiValueQueryStringParameters, { q: ['1', '2'], single: ['x'] });
    assert.deepEqual(e.pathParameters, { id: 'a b' });
    assert.deepEqual(e.stageVariables, { color: 'blue' });
    assert.equal(e.body, null);
    assert.equal(e.isBase64Encoded, false);
    const c = e.requestContext;
    assert.equal(c.stage, 'dev');
    assert.equal(c.path, '/dev/items/a b');
    assert.equal(c.resourcePath, '/items/{id}');
    assert.equal(c.accountId, '123456789012');
    assert.match(c.apiId, /^[a-z0-9]{10}$/);
    assert.match(c.requestId, /^[0-9a-f-]{36}$/);
    assert.match(c.requestTime, REQUEST_TIME);
    assert.equal(typeof c.requestTimeEpoch, 'number');
    assert.equal(c.identity.sourceIp, '127.0.0.1');
    assert.equal(c.identity.userAgent, 'curl-test');
    assert.equal(c.protocol, 'HTTP/1.1');
    assert.match(r.headers, /\r\nx-amzn-RequestId: [0-9a-f-]{36}/i);
    assert.match(r.headers, /\r\nx-amz-apigw-id: /i);
  });

  it('HTTP API (2.0): lower-case headers joined by commas, cookies, rawQueryString, absent parts left out', async () => {
    const api = h.api('HttpApi');
    const r = await curl(['-H', 'X-Dup: one', '-H', 'X-Dup: two', '-H', 'Cookie: a=1; b=2', '-X', 'GET', `${api}/items/7?q=1&q=2&e=%20x`]);
    assert.equal(r.status, 200);
    const e = JSON.parse(r.body) as Json;
    assert.deepEqual(
      Object.keys(e),
      V2_KEYS.filter((k) => !['body', 'stageVariables'].includes(k)),
    );
    assert.deepEqual(Object.keys(e.requestContext), V2_CONTEXT_KEYS);
    assert.equal(e.version, '2.0');
    assert.equal(e.routeKey, 'GET /items/{id}');
    assert.equal(e.rawPath, '/items/7');
    assert.equal(e.rawQueryString, 'q=1&q=2&e=%20x');
    assert.deepEqual(e.cookies, ['a=1', 'b=2']);
    assert.equal(e.headers['x-dup'], 'one,two');
    assert.equal(e.headers.cookie, undefined, 'cookies move out of the headers');
    assert.deepEqual(e.queryStringParameters, { q: '1,2', e: ' x' });
    assert.deepEqual(e.pathParameters, { id: '7' });
    assert.equal(e.isBase64Encoded, false);
    const c = e.requestContext;
    assert.deepEqual(Object.keys(c.http), ['method', 'path', 'protocol', 'sourceIp', 'userAgent']);
    assert.equal(c.http.method, 'GET');
    assert.equal(c.http.path, '/items/7');
    assert.equal(c.routeKey, 'GET /items/{id}');
    assert.equal(c.stage, '$default');
    assert.match(c.requestId, /^[A-Za-z0-9+/]{15}=$/);
    assert.match(c.time, REQUEST_TIME);
    assert.match(r.headers, /\r\napigw-requestid: /i);
  });

  it('HTTP API: a body comes as text for text types and base64 otherwise; the 1.0 format when configured', async () => {
    const api = h.api('HttpApi');
    const json = await fetchJson(`${api}/anything`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
    assert.equal(json.routeKey, '$default');
    assert.equal(json.body, '{"a":1}');
    assert.equal(json.isBase64Encoded, false);
    const bin = await fetchJson(`${api}/anything`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: Buffer.from([0, 1, 2, 255]),
    });
    assert.equal(bin.isBase64Encoded, true);
    assert.deepEqual([...Buffer.from(bin.body, 'base64')], [0, 1, 2, 255]);
    const form = await fetchJson(`${api}/anything`, { method: 'POST', body: new URLSearchParams({ a: 'b' }) });
    assert.equal(form.isBase64Encoded, true, 'HTTP APIs base64-encode form posts');

    const v1 = await fetchJson(`${api}/v1/deep/path?x=1`, { method: 'PUT', body: 'text', headers: { 'content-type': 'text/plain' } });
    assert.equal(v1.version, '1.0');
    assert.equal(v1.resource, '/v1/{proxy+}');
    assert.deepEqual(v1.pathParameters, { proxy: 'deep/path' });
    assert.deepEqual(v1.multiValueQueryStringParameters, { x: ['1'] });
    assert.equal(v1.requestContext.routeKey, 'ANY /v1/{proxy+}');
    assert.equal(v1.body, 'text');
  });

  it('REST API: binary media types decide base64 bodies both ways', async () => {
    const rest = h.api('RestApi');
    const png = await fetchJson(`${rest}/upload`, {
      method: 'POST',
      headers: { 'content-type': 'image/png' },
      body: Buffer.from([137, 80]),
    });
    assert.equal(png.isBase64Encoded, true);
    assert.equal(png.body, Buffer.from([137, 80]).toString('base64'));
    const text = await fetchJson(`${rest}/upload`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'plain' });
    assert.equal(text.isBase64Encoded, false);
    assert.equal(text.body, 'plain');
    const bytes = Buffer.from(await (await fetch(`${rest}/shapes?shape=binary`, { headers: { accept: 'image/png' } })).arrayBuffer());
    assert.deepEqual([...bytes], [137, 80, 78, 71], 'isBase64Encoded responses are decoded for binary media types');
  });

  it('routes resolve as API Gateway resolves them: literal before parameter before greedy, method before ANY', async () => {
    const rest = h.api('RestApi');
    assert.equal((await fetchJson(`${rest}/items/1`)).resource, '/items/{id}');
    assert.equal((await fetchJson(`${rest}/items/1/more`)).resource, '/{proxy+}');
    assert.equal((await fetchJson(`${rest}/items/1`, { method: 'DELETE' })).resource, '/{proxy+}');
    const shapes = await fetch(`${rest}/shapes`);
    assert.equal(shapes.headers.get('x-shape'), 'default', '/shapes (literal) wins over /{proxy+}');
    // A custom domain has no stage prefix: the same routes answer there.
    const noStage = new URL(rest).origin;
    assert.equal((await fetchJson(`${noStage}/items/9`)).requestContext.path, '/items/9');
    const root = await fetch(`${rest}/`);
    assert.equal(root.status, 403);
    assert.deepEqual(await root.json(), { message: 'Missing Authentication Token' });
    assert.equal(root.headers.get('x-amzn-errortype'), 'MissingAuthenticationTokenException');
  });

  it('answers requests addressed to loopback names only (no DNS rebinding), whatever their Origin', async () => {
    const rebound = await curl(['-H', 'Host: attacker.example:80', '-H', 'Origin: http://attacker.example', `${h.api('HttpApi')}/items/1`]);
    assert.equal(rebound.status, 403);
    assert.match(rebound.body, /localhost or 127\.0\.0\.1 only/);
    const named = await curl(['-H', 'Host: api.localhost', `${h.api('HttpApi')}/items/1`]);
    assert.equal(named.status, 200);
    assert.equal(JSON.parse(named.body).requestContext.domainName, 'api.localhost');
  });

  it('function URL events: the 2.0 format with routeKey $default, accountId anonymous without IAM auth', async () => {
    const url = h.functionUrl('EchoFunction');
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const res = await fetch(`${url}some/path?a=1&a=2`, {
      method: 'POST',
      headers: { cookie: 'k=v', 'content-type': 'text/plain' },
      body: 'hi',
    });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('x-amzn-requestid') ?? '', /^[0-9a-f-]{36}$/);
    const e = (await res.json()) as Json;
    assert.deepEqual(Object.keys(e), [
      'version',
      'routeKey',
      'rawPath',
      'rawQueryString',
      'cookies',
      'headers',
      'queryStringParameters',
      'requestContext',
      'body',
      'isBase64Encoded',
    ]);
    assert.equal(e.routeKey, '$default');
    assert.equal(e.rawPath, '/some/path');
    assert.deepEqual(e.queryStringParameters, { a: '1,2' });
    assert.equal(e.body, 'hi');
    assert.equal(e.requestContext.accountId, 'anonymous');
    assert.match(e.requestContext.apiId, /^[a-z0-9]{32}$/);
    assert.equal(e.requestContext.stage, '$default');
    assert.equal(e.requestContext.http.method, 'POST');
  });

  it('function URL with AWS_IAM: unsigned requests refused, any SigV4 signature accepted with its caller in the context', async () => {
    const url = new URL(h.functionUrl('UrlFunction'));
    const unsigned = await fetch(url);
    assert.equal(unsigned.status, 403);
    assert.deepEqual(await unsigned.json(), { Message: 'Forbidden' });
    const signer = new SignatureV4({
      service: 'lambda',
      region: 'us-east-1',
      sha256: Sha256,
      credentials: { accessKeyId: 'AKIDANYTHING', secretAccessKey: 'whatever' },
    });
    const signed = await signer.sign({
      method: 'GET',
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: '/',
      query: {},
      headers: { host: url.host },
    });
    const ok = await fetch(url, { headers: signed.headers as Record<string, string> });
    assert.equal(ok.status, 200);
    const context = ((await ok.json()) as Json).context;
    assert.equal(context.authorizer.iam.accessKey, 'AKIDANYTHING');
    assert.equal(context.accountId, '123456789012');
  });
});
