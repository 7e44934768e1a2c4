// examples/python through the built `lambda-lab` command, as its README runs it: --python picks
// the interpreter, warm invokes reuse module state, Decimal totals keep their digits, and a
// raised exception is a function error (exit 1) with Lambda's [ERROR] record.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PYTHON, requirePython } from './pythonHarness';

const ROOT = path.join(__dirname, '..', '..');
const EXAMPLE = path.join(ROOT, 'examples', 'python');

function run(args: string[]) {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'out', 'cli.js'), ...args, '--python', `python3.12=${PYTHON}`], {
    cwd: EXAMPLE,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('examples/python through the CLI', function () {
  this.timeout(60_000);
  before(function () {
    requirePython(this);
    const probe = spawnSync(PYTHON, ['-c', 'import boto3'], { encoding: 'utf8' });
    if (probe.status !== 0) {
      console.log(`      skipped: ${PYTHON} has no boto3 (apt-get install python3-boto3)`);
      this.skip();
    }
  });
  after(() => fs.rmSync(path.join(EXAMPLE, '.lambda-lab'), { recursive: true, force: true }));

  it('prices an order twice on one environment', () => {
    const r = run(['invoke', 'OrdersFunction', '-e', 'events/order.json', '--count', '2']);
    assert.equal(r.code, 0, r.stderr);
    const answers = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      answers.map((a) => a.statusCode),
      [200, 200],
    );
    assert.match(r.stdout, /"total": 24\.80\}/);
    assert.match(r.stderr, /^\[INFO\]\t\S+\t[0-9a-f-]{36}\tpriced 2 lines for ada: 24\.80$/m);
    assert.match(r.stderr, /^table orders-dev, invocation 2 of this environment$/m);
  });

  it('turns the ValueError of an empty order into a function error', () => {
    const r = run(['invoke', 'OrdersFunction', '-e', 'events/empty-order.json']);
    assert.equal(r.code, 1);
    const error = JSON.parse(r.stdout);
    assert.deepEqual([error.errorType, error.errorMessage], ['ValueError', 'order has no lines']);
    assert.match(r.stderr, /^\[ERROR\] ValueError: order has no lines$/m);
  });
});
