// `lambda-lab serve` as a user runs it: the built CLI prints its URL once ready, answers the
// SDK, and on SIGTERM stops every handler process and exits 0.
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { copyFixture, json } from '../fixtures/api/apiHarness';

const CLI = join(__dirname, '..', '..', 'out', 'cli.js');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('lambda-lab serve (integration)', function () {
  this.timeout(60_000);
  let child: ChildProcess | undefined;
  let dir: string | undefined;
  after(() => {
    child?.kill('SIGKILL');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('prints its URL once ready, serves the SDK, and stops its environments on SIGTERM', async function () {
    if (!existsSync(CLI)) {
      console.log('      skipped: out/cli.js is missing; run `npm run build` first');
      this.skip();
    }
    dir = copyFixture('basic');
    child = spawn(process.execPath, [CLI, 'serve', '--template', join(dir, 'template.yaml'), '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d));
    const exited = new Promise<number | null>((ok) => child!.once('exit', (code) => ok(code)));
    const url = await new Promise<string>((ok, fail) => {
      let out = '';
      child!.stdout!.on('data', (d: Buffer) => {
        out += d;
        const m = /Lambda API listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m) ok(m[1]);
      });
      void exited.then((code) => fail(new Error(`serve exited ${code} before printing its URL: ${stderr}`)));
    });
    const client = new LambdaClient({
      endpoint: url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      maxAttempts: 1,
    });
    const out = await client.send(new InvokeCommand({ FunctionName: 'echo', Payload: Buffer.from('{"via":"serve"}') }));
    client.destroy();
    const body = json(out.Payload);
    assert.deepEqual(body.event, { via: 'serve' });
    const pid = body.pid as number;
    assert.ok(alive(pid), 'the handler process runs while serve does');
    assert.match(stderr, /echo invoked \{"via":"serve"\}/, 'function logs go to stderr');

    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    child = undefined;
    assert.equal(alive(pid), false, 'serve stopped the handler process on exit');
  });
});
