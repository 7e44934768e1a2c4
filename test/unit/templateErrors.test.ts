// Template errors point at file:line:col and the resource, and say what to do.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTemplate } from '../../src/runtime/template/templateLoader';
import { TemplateError } from '../../src/runtime/template/templateError';

const errors = join(__dirname, '../fixtures/templates/errors');

describe('template errors', () => {
  let stateDir: string;
  before(() => {
    stateDir = mkdtempSync(join(tmpdir(), 'lambda-lab-template-errors-'));
  });
  after(() => rmSync(stateDir, { recursive: true, force: true }));

  /** Loads a fixture expecting a TemplateError; returns [line, column, resource, message without the location]. */
  const failure = async (file: string): Promise<[number, number, string | undefined, string]> => {
    const path = join(errors, file);
    const error = await loadTemplate(path, { stateDir }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(error instanceof TemplateError, `expected a TemplateError, got ${String(error)}`);
    assert.equal(error.templatePath, path);
    const prefix = `${path}:${error.position.line}:${error.position.column}: ${error.resource ? `${error.resource}: ` : ''}`;
    assert.ok(error.message.startsWith(prefix), error.message);
    return [error.position.line, error.position.column, error.resource, error.message.slice(prefix.length)];
  };

  it('YAML syntax errors', async () => {
    const [line, column, resource, message] = await failure('syntax.yaml');
    assert.deepEqual([line, column, resource], [5, 3, undefined]);
    assert.match(message, /^Flow sequence in block collection must be sufficiently indented and end with a \]; fix the YAML\/JSON syntax$/);
  });

  it('a template without Resources', async () => {
    assert.deepEqual(await failure('no-resources.yaml'), [
      1,
      1,
      undefined,
      'the template has no Resources; declare your functions under Resources',
    ]);
  });

  it('a function without Runtime, at its logical id', async () => {
    assert.deepEqual(await failure('missing-runtime.yaml'), [
      2,
      3,
      'NoRuntime',
      'Runtime is missing; set it (e.g. nodejs20.x) on the function or under Globals.Function',
    ]);
  });

  it('a Node function without Handler', async () => {
    assert.deepEqual(await failure('missing-handler.yaml'), [
      5,
      3,
      'NoHandler',
      'Handler is missing; set it to <file>.<export>, e.g. app.handler (or under Globals.Function)',
    ]);
  });

  it('a property SAM does not accept in Globals.Function, at the key', async () => {
    assert.deepEqual(await failure('bad-globals.yaml'), [
      4,
      5,
      undefined,
      "'FunctionName' is not a supported property of Globals.Function (SAM rejects it); move it into each function's Properties",
    ]);
  });

  it('!Ref of an unknown name, at the tag', async () => {
    assert.deepEqual(await failure('unknown-ref.yaml'), [
      14,
      18,
      'Fn',
      'Ref Stagee: no parameter, pseudo parameter or resource has this name; declare it under Parameters or fix the name',
    ]);
  });

  it('!GetAtt of a resource that does not exist', async () => {
    assert.deepEqual(await failure('getatt-missing.yaml'), [9, 18, 'Fn', 'GetAtt Queue.Arn: there is no resource Queue in this template']);
  });

  it('!If on an undeclared condition', async () => {
    assert.deepEqual(await failure('unknown-condition.yaml'), [7, 19, 'Fn', 'condition IsBig is not declared under Conditions']);
  });

  it('an unknown short-form tag', async () => {
    const [line, column, resource, message] = await failure('unknown-tag.yaml');
    assert.deepEqual([line, column, resource], [6, 16, 'Fn']);
    assert.match(message, /^unknown tag !Reff; CloudFormation's short forms are !Ref !Condition !Sub !GetAtt /);
  });

  it('an out-of-range value in a JSON template, at the value', async () => {
    assert.deepEqual(await failure('bad-memory.json'), [9, 23, 'Small', 'MemorySize must be a whole number from 128 to 10240 MB, not 64']);
  });

  it('a variable Lambda reserves', async () => {
    assert.deepEqual(await failure('reserved-env.yaml'), [
      10,
      23,
      'Fn',
      "AWS_REGION is reserved by Lambda and cannot be set in the function's environment; rename it",
    ]);
  });

  it('two functions with one FunctionName', async () => {
    assert.deepEqual(await failure('duplicate-name.yaml'), [
      13,
      21,
      'Second',
      'FunctionName same is also the name of First; function names must be unique',
    ]);
  });

  it('a missing template file', async () => {
    const path = join(errors, 'nope.yaml');
    await assert.rejects(
      loadTemplate(path, { stateDir }),
      (e: unknown) => e instanceof TemplateError && e.message.startsWith(`${path}:1:1: cannot read the template (ENOENT`),
    );
  });
});
