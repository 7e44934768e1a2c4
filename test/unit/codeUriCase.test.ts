// A CodeUri written on a case-insensitive laptop (`Src/` for `src/`) cannot run on Lambda's
// case-sensitive file system: the function is reported as not runnable, naming the folder to use.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTemplate } from '../../src/runtime/template/templateLoader';

describe('CodeUri whose case differs from the folder on disk', () => {
  const fixture = join(__dirname, '../vscode/fixtures/realWorld/wrong-case');
  let state: string;
  beforeEach(() => (state = mkdtempSync(join(tmpdir(), 'lambda-lab-case-'))));
  afterEach(() => rmSync(state, { recursive: true, force: true }));

  it('suggests the folder that exists', async () => {
    const model = await loadTemplate(join(fixture, 'template.yaml'), { stateDir: state });
    assert.deepEqual(model.functions, []);
    const [fn] = model.unsupported;
    assert.equal(fn.logicalId, 'ReportFunction');
    assert.match(
      fn.reason,
      /^CodeUri folder .*[\\/]wrong-case[\\/]Src does not exist; set CodeUri to src\/, the folder on disk \(names differ only in case, and Lambda's file system is case-sensitive\)$/,
    );
  });
});
