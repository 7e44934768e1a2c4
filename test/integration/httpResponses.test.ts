// What clients get back through API Gateway and function URLs: response mapping per payload
// format, the gateways' own errors and timeouts, authorizers (Lambda TOKEN and simple, JWT),
// API keys, payload limits and CORS preflights — over real HTTP.
import * as assert from 'node:assert/strict';
import { startHttpHarness, type HttpHarness } from '../fixtures/http/httpHarness';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function jwt(claims: Record<string, unknown>): string {
  const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  return `${part({ alg: 'RS256', typ: 'JWT' })}.${part(claims)}.c2lnbmF0dXJl`;
}

describe('HTTP front doors: responses, errors, authorizers, CORS (integration)', function () {
  this.timeout(60_000);
  let h: HttpHarness;
  let rest: string;
  let http: string;

  before(async () => {
    h = await startHttpHarness();
    rest = h.api('RestApi');
    http = h.api('HttpApi');
  });
  after(() => h?.stop());

  it('payload 2.0 infers a 200 JSON response from bare values and maps cookies to Set-Cookie', async () => {
    const obj = await fetch(`${http}/shapes?shape=bare-object`);
    assert.equal(obj.status, 200);
    assert.equal(obj.headers.get('content-type'), 'application/json');
    assert.equal(await obj.text(), '{"hello":"world"}');
    const str = await fetch(`${http}/shapes?shape=bare-string`);
    assert.equal(await str.text(), 'just text');
    const cookies = await fetch(`${http}/shapes?shape=cookies`);
    assert.equal(cookies.status, 201);
    assert.deepEqual(cookies.headers.getSetCookie(), ['a=1; Path=/', 'b=2']);
    assert.equal(await cookies.text(), 'with cookies');
    const binary = await fetch(`${http}/shapes?shape=binary`);
    assert.equal(binary.headers.get('content-type'), 'image/png');
    assert.deepEqual(
      [...Buffer.from(await binary.arrayBuffer())],
      [137, 80, 78, 71],
      'HTTP APIs decode isBase64Encoded bodies whatever the type',
    );
    const restNoBinaryAccept = await fetch(`${rest}/shapes?shape=binary`, { headers: { accept: 'text/plain' } });
    assert.equal(
      await restNoBinaryAccept.text(),
      Buffer.from([137, 80, 78, 71]).toString('base64'),
      'REST decodes only for binary media types',
    );
  });

  it('REST refuses what payload 1.0 does not allow: bare values and unknown keys are a 502', async () => {
    for (const shape of ['bare-object', 'malformed', 'throw']) {
      const res = await fetch(`${rest}/shapes?shape=${shape}`);
      assert.equal(res.status, 502, shape);
      assert.equal(await res.text(), '{"message": "Internal server error"}');
      assert.equal(res.headers.get('x-amzn-errortype'), 'InternalServerErrorException');
    }
    const multi = await fetch(`${rest}/shapes?shape=multi`);
    assert.equal(multi.headers.get('x-many'), '1, 2');
    assert.equal(multi.headers.get('x-one'), 'a');
  });

  it('HTTP APIs answer a function error with 500 Internal Server Error', async () => {
    const res = await fetch(`${http}/shapes?shape=throw`);
    assert.equal(res.status, 500);
    assert.equal(await res.text(), '{"message":"Internal Server Error"}');
  });

  it('the integration timeout answers 504 while the function runs on', async () => {
    const ended = new Promise<void>((resolve) => {
      h.runtime.on('invocationEnded', (info, result) => {
        if (info.functionName === 'ShapesFunction' && result.payload.toString().includes('late')) resolve();
      });
    });
    const res = await fetch(`${rest}/slow?shape=sleep&ms=1500`);
    assert.equal(res.status, 504);
    assert.equal(await res.text(), '{"message": "Endpoint request timed out"}');
    await ended;
  });

  it('API keys: required routes refuse requests without x-api-key and pass the key on', async () => {
    const refused = await fetch(`${rest}/keyed`);
    assert.equal(refused.status, 403);
    assert.deepEqual(await refused.json(), { message: 'Forbidden' });
    const ok = (await (await fetch(`${rest}/keyed`, { headers: { 'x-api-key': 'k-123456789' } })).json()) as Json;
    assert.equal(ok.requestContext.identity.apiKey, 'k-123456789');
  });

  it('REST TOKEN authorizer runs as a function: missing token 401, Deny 403, Allow passes its context on', async () => {
    const missing = await fetch(`${rest}/token`);
    assert.equal(missing.status, 401);
    assert.deepEqual(await missing.json(), { message: 'Unauthorized' });
    const bogus = await fetch(`${rest}/token`, { headers: { authorization: 'nonsense' } });
    assert.equal(bogus.status, 401);
    const denied = await fetch(`${rest}/token`, { headers: { authorization: 'deny' } });
    assert.equal(denied.status, 403);
    assert.deepEqual(await denied.json(), { Message: 'User is not authorized to access this resource with an explicit deny' });
    const allowed = await fetch(`${rest}/token`, { headers: { authorization: 'allow' } });
    assert.equal(allowed.status, 200);
    const authorizer = ((await allowed.json()) as Json).context.authorizer;
    assert.equal(authorizer.principalId, 'user-1');
    assert.equal(authorizer.tenant, 'acme');
    assert.equal(authorizer.level, 3);
    assert.equal(typeof authorizer.integrationLatency, 'number');
  });

  it('HTTP API simple-response Lambda authorizer: identity source required, isAuthorized decides, context under lambda', async () => {
    assert.equal((await fetch(`${http}/guarded`)).status, 401);
    const refused = await fetch(`${http}/guarded`, { headers: { 'x-token': 'wrong' } });
    assert.equal(refused.status, 403);
    assert.deepEqual(await refused.json(), { message: 'Forbidden' });
    const ok = (await (await fetch(`${http}/guarded`, { headers: { 'x-token': 'open-sesame' } })).json()) as Json;
    assert.deepEqual(ok.requestContext.authorizer, { lambda: { tenant: 'acme', via: 'REQUEST' } });
  });

  it('REST REQUEST authorizer: identity sources required, wildcard policies, context passed on', async () => {
    assert.equal((await fetch(`${rest}/request`)).status, 401);
    assert.equal((await fetch(`${rest}/request?key=shut`)).status, 403);
    const ok = await fetch(`${rest}/request?key=open`);
    assert.equal(ok.status, 200);
    const authorizer = ((await ok.json()) as Json).context.authorizer;
    assert.equal(authorizer.principalId, 'request-user');
    assert.equal(authorizer.seenPath, '/request');
    assert.equal(authorizer.type, 'REQUEST');
  });

  it('HTTP API Lambda authorizer with payload 1.0 and an IAM policy answer; AWS_IAM routes need a signature', async () => {
    assert.equal((await fetch(`${http}/policy`)).status, 401);
    const denied = await fetch(`${http}/policy`, { headers: { 'x-token': 'no' } });
    assert.equal(denied.status, 403);
    assert.deepEqual(await denied.json(), { message: 'Forbidden' });
    const ok = await fetch(`${http}/policy`, { headers: { 'x-token': 'yes' } });
    assert.equal(ok.status, 200);
    assert.deepEqual(((await ok.json()) as Json).context.authorizer, { lambda: { version: '1.0' } });

    assert.equal((await fetch(`${http}/iam`)).status, 403);
    const signed = await fetch(`${http}/iam`, {
      headers: {
        authorization: 'AWS4-HMAC-SHA256 Credential=AKIDX/20260101/us-east-1/execute-api/aws4_request, SignedHeaders=host, Signature=00',
      },
    });
    assert.equal(signed.status, 200);
  });

  it('JWT authorizer: missing, expired or foreign tokens 401, missing scope 403, claims in the context', async () => {
    const now = Math.floor(Date.now() / 1000);
    const good = {
      iss: 'https://issuer.example.com',
      aud: 'lambda-lab',
      sub: 'u1',
      exp: now + 600,
      scope: 'read write',
      groups: ['a', 'b'],
    };
    const call = (token?: string) => fetch(`${http}/jwt`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    assert.equal((await call()).status, 401);
    assert.equal((await call(jwt({ ...good, exp: now - 10 }))).status, 401);
    assert.equal((await call(jwt({ ...good, aud: 'someone-else' }))).status, 401);
    assert.equal((await call(jwt({ ...good, iss: 'https://evil.example.com' }))).status, 401);
    assert.equal((await call(jwt({ ...good, scope: 'write' }))).status, 403);
    const ok = await call(jwt(good));
    assert.equal(ok.status, 200);
    const auth = ((await ok.json()) as Json).requestContext.authorizer;
    assert.equal(auth.jwt.claims.sub, 'u1');
    assert.equal(auth.jwt.claims.groups, '[a b]');
    assert.deepEqual(auth.jwt.scopes, ['read', 'write']);
  });

  it('payload limits: over 10 MB API Gateway answers 413; over 6 MB the function URL does', async () => {
    const big = Buffer.alloc(10 * 1024 * 1024 + 1, 97);
    const api = await fetch(`${http}/anything`, { method: 'POST', body: big, headers: { 'content-type': 'text/plain' } });
    assert.equal(api.status, 413);
    const url = await fetch(h.functionUrl('EchoFunction'), { method: 'POST', body: Buffer.alloc(6 * 1024 * 1024 + 1, 97) });
    assert.equal(url.status, 413);
  });

  it("CORS: HTTP API preflights and response headers follow CorsConfiguration; REST answers SAM's fixed OPTIONS", async () => {
    const pre = await fetch(`${http}/items/1`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://allowed.localhost',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get('access-control-allow-origin'), 'http://allowed.localhost');
    assert.equal(pre.headers.get('access-control-allow-methods'), 'GET,POST');
    assert.equal(pre.headers.get('access-control-max-age'), '300');
    const foreign = await fetch(`${http}/items/1`, {
      method: 'OPTIONS',
      headers: { origin: 'http://elsewhere.localhost', 'access-control-request-method': 'GET' },
    });
    assert.equal(foreign.status, 204);
    assert.equal(foreign.headers.get('access-control-allow-origin'), null);
    const actual = await fetch(`${http}/shapes`, { headers: { origin: 'http://allowed.localhost' } });
    assert.equal(actual.headers.get('access-control-allow-origin'), 'http://allowed.localhost', "the API's header replaces the function's");
    assert.equal(actual.headers.get('access-control-expose-headers'), 'x-shape');

    const urlPre = await fetch(h.functionUrl('UrlFunction'), {
      method: 'OPTIONS',
      headers: { origin: 'http://allowed.localhost', 'access-control-request-method': 'POST' },
    });
    assert.equal(urlPre.status, 204, 'function URL preflights need no signature');
    assert.equal(urlPre.headers.get('access-control-allow-origin'), 'http://allowed.localhost');
    assert.equal(urlPre.headers.get('access-control-max-age'), '60');

    const restPre = await fetch(`${rest}/shapes`, {
      method: 'OPTIONS',
      headers: { origin: 'http://anything.localhost', 'access-control-request-method': 'GET' },
    });
    assert.equal(restPre.status, 200);
    assert.equal(restPre.headers.get('access-control-allow-origin'), '*');
    assert.equal(restPre.headers.get('access-control-allow-headers'), 'content-type,x-api-key');
    assert.equal(restPre.headers.get('access-control-allow-methods'), 'GET,OPTIONS');
    const restActual = await fetch(`${rest}/shapes`, { headers: { origin: 'http://anything.localhost' } });
    assert.equal(restActual.headers.get('access-control-allow-origin'), 'http://from-function', 'REST leaves CORS headers to the function');
  });
});
