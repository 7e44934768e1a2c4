// SAM's --env-vars file: "Parameters" entries apply to every function, a function's own
// entry (by logical id, else by function name) wins, only declared variables change,
// and a malformed file is reported at its line and column.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TemplateModel } from '../../src/runtime/functionConfig';
import { applyEnvVars } from '../../src/runtime/template/envVarsFile';
import { TemplateError } from '../../src/runtime/template/templateError';
import { loadTemplate } from '../../src/runtime/template/templateLoader';

const fixtures = join(__dirname, '../fixtures/templates');

describe('env-vars file', () => {
  let stateDir: string;
  let model: TemplateModel;
  const env = (logicalId: string) => model.functions.find((f) => f.logicalId === logicalId)!.environment;

  before(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'lambda-lab-envvars-'));
    model = await loadTemplate(join(fixtures, 'full/template.yaml'), { stateDir, envVarsFile: join(fixtures, 'full/env.json') });
  });
  after(() => rmSync(stateDir, { recursive: true, force: true }));

  it('applies "Parameters" entries to every function that declares the variable', () => {
    assert.equal(env('HelloFunction').SHARED, 'from-env-global');
    assert.equal(env('TsFunction').SHARED, 'from-env-global');
    assert.equal(env('OtherFunction').OVERRIDDEN, 'from-env-global');
  });

  it('lets a function entry by logical id override "Parameters"', () => {
    assert.equal(env('HelloFunction').OVERRIDDEN, 'from-env-function');
  });

  it('finds a function entry by FunctionName when there is none by logical id', () => {
    assert.equal(env('OtherFunction').SHARED, 'by-function-name');
  });

  it('never adds variables the template does not declare', () => {
    for (const f of model.functions) {
      assert.equal('NOT_DECLARED' in f.environment, false, f.logicalId);
      assert.equal('ALSO_NOT_DECLARED' in f.environment, false, f.logicalId);
    }
    assert.deepEqual(env('InlineFunction'), {});
  });

  it('also sets template parameters of the same name (TableName), under explicit overrides', async () => {
    assert.equal(model.parameters.TableName, 'env-table');
    assert.equal(env('HelloFunction').SUB, 'env-table-dev-us-east-1');
    const overridden = await loadTemplate(join(fixtures, 'full/template.yaml'), {
      stateDir,
      envVarsFile: join(fixtures, 'full/env.json'),
      parameterOverrides: { TableName: 'cli-table' },
    });
    assert.equal(overridden.parameters.TableName, 'cli-table');
  });

  it('prefers the logical id entry over the function name entry', () => {
    const file = { path: 'env.json', global: { A: 'global' }, perFunction: { Fn: { A: 'by-id' }, 'fn-name': { A: 'by-name' } } };
    assert.deepEqual(applyEnvVars(file, 'Fn', 'fn-name', { A: 'template', B: 'kept' }), { A: 'by-id', B: 'kept' });
    assert.deepEqual(applyEnvVars(file, 'Other', 'fn-name', { A: 'template' }), { A: 'by-name' });
    assert.deepEqual(applyEnvVars(file, 'Other', 'other', { A: 'template' }), { A: 'global' });
  });

  it('reports malformed JSON at its line and column', async () => {
    const path = join(fixtures, 'errors/bad-env.json');
    const error = await loadTemplate(join(fixtures, 'full/template.yaml'), { stateDir, envVarsFile: path }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(error instanceof TemplateError, String(error));
    assert.equal(error.templatePath, path);
    assert.deepEqual(error.position, { line: 4, column: 3 });
    assert.match(
      error.message,
      new RegExp(`^${path.replace(/[.\\/]/g, '\\$&')}:4:3: .+: the env-vars file must be JSON like \\{"Parameters"`),
    );
  });

  it('reports an entry that is not an object of variables', async () => {
    const bad = join(stateDir, 'bad-shape.json');
    writeFileSync(bad, '{\n  "Parameters": {"A": "1"},\n  "Fn": "oops"\n}\n');
    await assert.rejects(loadTemplate(join(fixtures, 'full/template.yaml'), { stateDir, envVarsFile: bad }), {
      name: 'TemplateError',
      message: `${bad}:3:3: "Fn" must be an object of variable names to values`,
    });
  });
});
