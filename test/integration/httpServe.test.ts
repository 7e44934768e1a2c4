// `lambda-lab serve` and `lambda-lab list` with HTTP front doors: the built CLI in its own process,
// its printed route table, and requests to the URLs it prints.
import * as assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const CLI = join(ROOT, 'out/cli.js');

describe('HTTP front doors: lambda-lab serve and list (integration)', function () {
  this.timeout(60_000);
  let dir: string;
  let child: ChildProcess | undefined;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'lambda-lab-http-serve-'));
    cpSync(join(__dirname, '../fixtures/http'), dir, { recursive: true });
  });
  after(() => {
    child?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it("list shows each function's routes and URLs", () => {
    const out = spawnSync(process.execPath, [CLI, 'list', '--template', join(dir, 'template.yaml')], { encoding: 'utf8' });
    assert.equal(out.status, 0, out.stderr);
    assert.match(out.stdout, /^EchoFunction\s+REST API RestApi\s+GET\s+\/dev\/items\/\{id\}\s+payload 1\.0$/m);
    assert.match(out.stdout, /^EchoFunction\s+HTTP API ServerlessHttpApi\s+POST\s+\/implicit\s+payload 2\.0$/m);
    assert.match(out.stdout, /^StreamFunction\s+function URL\s+ANY\s+\/\s+auth NONE, RESPONSE_STREAM$/m);
    const json = JSON.parse(
      spawnSync(process.execPath, [CLI, 'list', '--json', '--template', join(dir, 'template.yaml')], { encoding: 'utf8' }).stdout,
    );
    assert.ok(json.routes.some((r: { functionId: string; path: string }) => r.functionId === 'ShapesFunction' && r.path === '/dev/token'));
  });

  it('serve prints every route with a URL that answers, beside the Lambda API', async () => {
    child = spawn(
      process.execPath,
      [CLI, 'serve', '--template', join(dir, 'template.yaml'), '--port', '0', '--http-port', '0', '--quiet'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d));
    await new Promise<void>((ok, fail) => {
      child!.on('exit', (code) => fail(new Error(`serve exited ${code}`)));
      child!.stdout!.on('data', () => /UrlFunction\s+function URL/.test(out) && ok());
    });
    assert.match(out, /^Lambda API listening on http:\/\/127\.0\.0\.1:\d+/m);
    const items = /^EchoFunction\s+HTTP API HttpApi\s+GET\s+(http:\/\/127\.0\.0\.1:\d+)\/items\/\{id\}/m.exec(out);
    assert.ok(items, out);
    const event = (await (await fetch(`${items[1]}/items/3`)).json()) as { pathParameters: unknown };
    assert.deepEqual(event.pathParameters, { id: '3' });
    const url = /^StreamFunction\s+function URL\s+ANY\s+(http:\/\/\S+)/m.exec(out);
    assert.ok(url, out);
    assert.equal(await (await fetch(url[1])).text(), 'one;two;three');
    child.removeAllListeners('exit');
    await new Promise<void>((ok) => {
      child!.once('exit', () => ok());
      child!.kill('SIGTERM');
    });
    child = undefined;
  });
});
