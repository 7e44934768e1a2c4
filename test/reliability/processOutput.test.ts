// What a handler writes reaches the user however the command ends: `lambda-lab invoke` drains
// an environment's output before ending it, and a reader that goes away (`| head -1`) ends the
// command quietly, as Unix tools end.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cli, CLI, makeProject } from './processHarness';

const exited = (child: ReturnType<typeof cli>) => new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

describe('reliability: handler output is not lost when a command ends', function () {
  this.timeout(120_000);
  let dir: string;

  before(function () {
    if (!fs.existsSync(CLI)) this.skip();
  });
  beforeEach(() => {
    dir = makeProject();
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('invoke keeps all 50,000 lines (50 MB) a handler wrote through process.stdout.write before answering', async () => {
    const child = cli(['invoke', 'Chatty', '-t', path.join(dir, 'template.yaml')]);
    assert.equal(await exited(child), 0, child.err().slice(-2000));
    assert.equal(child.out(), '"written"\n');
    const lines = child
      .err()
      .split('\n')
      .filter((l) => l.startsWith('line '));
    assert.equal(lines.length, 50_000);
    assert.match(lines.at(-1)!, /^line 49999 x{1000}$/);
    // The persisted stream has them too.
    const logs = path.join(dir, '.lambda-lab', 'logs', 'Chatty');
    const [stream] = fs.readdirSync(logs);
    const stored = fs
      .readFileSync(path.join(logs, stream), 'utf8')
      .split('\n')
      .filter((l) => l.includes('"line '));
    assert.equal(stored.length, 50_000);
  });

  it('invoke | head -1: exits without a stack trace once its reader is gone', async () => {
    const child = cli(['invoke', 'Hello', '-t', path.join(dir, 'template.yaml'), '-n', '200', '--quiet']);
    await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
    child.stdout!.destroy();
    const code = await exited(child);
    assert.doesNotMatch(child.err(), /EPIPE|Error|at /, child.err());
    assert.ok(code === 0 || code === 1, `exit status ${code}`);
  });
});
