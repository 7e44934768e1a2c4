import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, helloDir } from './helpers';

/** The server wants SigV4 as the SDKs send it; any credentials do. */
const headers = {
  Authorization: 'AWS4-HMAC-SHA256 Credential=AKIDLOCAL/20260101/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=00',
};

describe('Lambda API server command', function () {
  this.timeout(60_000);

  after(() => vscode.commands.executeCommand('lambdaLab.stopApiServer'));

  it('serves the functions over HTTP while running and stops on request', async () => {
    const url = await vscode.commands.executeCommand<string>('lambdaLab.startApiServer', {
      port: 0,
      templatePath: path.join(helloDir(), 'template.yaml'),
    });
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal((await api()).apiServer.url, url);

    const list = await fetch(`${url}/2015-03-31/functions/`, { headers });
    assert.equal(list.status, 200);
    const names = ((await list.json()) as { Functions: { FunctionName: string }[] }).Functions.map((f) => f.FunctionName);
    for (const fn of ['HelloFunction', 'EsmFunction', 'LayeredFunction']) assert.ok(names.includes(fn), `${fn} missing: ${names}`);

    const invoke = await fetch(`${url}/2015-03-31/functions/HelloFunction/invocations`, { method: 'POST', body: '{}', headers });
    assert.equal(invoke.status, 200);
    assert.equal(invoke.headers.get('x-amz-executed-version'), '$LATEST');

    await vscode.commands.executeCommand('lambdaLab.stopApiServer');
    assert.equal((await api()).apiServer.url, undefined);
    await assert.rejects(fetch(`${url}/2015-03-31/functions/`, { headers }), 'the server still answers after Stop');
  });
});
