// Templates are untrusted input: names that would build paths outside the state folder are
// refused at load with their position, alias bombs fail fast, and references CloudFormation
// rejects as circular are rejected here too.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TemplateError } from '../../src/runtime/template/templateError';
import { loadTemplate } from '../../src/runtime/template/templateLoader';

describe('templates are untrusted input', () => {
  let dir: string;
  let stateDir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lambda-lab-untrusted-'));
    stateDir = join(dir, 'project', '.lambda-lab');
    mkdirSync(join(dir, 'project', 'src'), { recursive: true });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const load = (text: string) => {
    const file = join(dir, 'project', 'template.yaml');
    writeFileSync(file, text);
    return loadTemplate(file, { stateDir });
  };
  const rejection = async (text: string): Promise<TemplateError> => {
    const error = await load(text).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(error instanceof TemplateError, `expected a TemplateError, got ${String(error)}`);
    return error;
  };
  /** Every file under dir except the template and its code: what loading wrote. */
  const strayFiles = () =>
    readdirSync(dir, { recursive: true })
      .map(String)
      .filter((f) => !f.startsWith('project'));

  it('a logical id with ../ is refused at its key, and nothing is written outside the state folder', async () => {
    const error = await rejection(
      [
        'Resources:',
        '  "../../../escape":',
        '    Type: AWS::Lambda::Function',
        '    Properties:',
        '      Runtime: nodejs20.x',
        '      Handler: index.handler',
        '      Code: { ZipFile: "exports.handler = async () => 1" }',
      ].join('\n'),
    );
    assert.deepEqual([error.position.line, error.position.column], [2, 3]);
    assert.match(error.problem, /logical id "\.\.\/\.\.\/\.\.\/escape" is invalid: CloudFormation accepts only letters and digits/);
    assert.deepEqual(strayFiles(), []);
    assert.equal(existsSync(join(dir, 'escape')), false);
  });

  it('a FunctionName with ../ is refused at the property', async () => {
    const error = await rejection(
      [
        'Resources:',
        '  Fn:',
        '    Type: AWS::Serverless::Function',
        '    Properties:',
        '      FunctionName: ../../outside',
        '      Runtime: nodejs20.x',
        '      Handler: index.handler',
        '      CodeUri: src',
      ].join('\n'),
    );
    assert.deepEqual([error.position.line, error.position.column, error.resource], [5, 21, 'Fn']);
    assert.match(
      error.problem,
      /^FunctionName "\.\.\/\.\.\/outside" is invalid: Lambda accepts letters, digits, - and _, up to 64 characters$/,
    );
  });

  it('a LayerName with ../ is refused at the property', async () => {
    mkdirSync(join(dir, 'project', 'layer'));
    const error = await rejection(
      [
        'Resources:',
        '  Layer:',
        '    Type: AWS::Serverless::LayerVersion',
        '    Properties:',
        '      LayerName: ../../../tmp/x',
        '      ContentUri: layer',
      ].join('\n'),
    );
    assert.deepEqual([error.position.line, error.position.column, error.resource], [5, 18, 'Layer']);
    assert.match(error.problem, /^LayerName "\.\.\/\.\.\/\.\.\/tmp\/x" is invalid/);
  });

  it('an AutoPublishAlias that is not an alias name is refused at the property', async () => {
    const error = await rejection(
      [
        'Resources:',
        '  Fn:',
        '    Type: AWS::Serverless::Function',
        '    Properties:',
        '      Runtime: nodejs20.x',
        '      Handler: index.handler',
        '      CodeUri: src',
        '      AutoPublishAlias: ../live',
      ].join('\n'),
    );
    assert.deepEqual([error.position.line, error.position.column, error.resource], [8, 25, 'Fn']);
    assert.match(error.problem, /^AutoPublishAlias "\.\.\/live" is invalid/);
  });

  it('a LayerName given as a layer ARN is accepted, its last part being the name', async () => {
    mkdirSync(join(dir, 'project', 'layer'));
    const model = await load(
      [
        'Resources:',
        '  Layer:',
        '    Type: AWS::Lambda::LayerVersion',
        '    Properties:',
        '      LayerName: arn:aws:lambda:us-east-1:123456789012:layer:shared-libs',
        '      Content: layer',
      ].join('\n'),
    );
    assert.equal(model.layers[0].layerName, 'shared-libs');
  });

  it('a YAML alias bomb in unused Metadata fails within a second, naming the cause', async () => {
    const lines = ['Metadata:', '  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (let i = 1; i < 10; i++)
      lines.push(
        `  a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    lines.push(
      'Resources:',
      '  Fn:',
      '    Type: AWS::Serverless::Function',
      '    Properties: { Runtime: nodejs20.x, Handler: index.handler, CodeUri: src }',
    );
    const text = lines.join('\n');
    assert.ok(text.length < 1000, `the bomb is ${text.length} bytes`);
    const started = process.hrtime.bigint();
    const heapBefore = process.memoryUsage().heapUsed;
    const error = await rejection(text);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    assert.match(error.problem, /^YAML aliases expand to more than 100000 nodes \(an alias bomb\?\)/);
    // Not a timing assertion on a busy machine: the bound is by construction (a node budget);
    // this only catches an unbounded walk, which takes minutes and gigabytes.
    assert.ok(ms < 10_000, `took ${ms} ms`);
    assert.ok(process.memoryUsage().heapUsed - heapBefore < 512 * 1024 * 1024);
  });

  it('a few aliases, as real templates use them, still load', async () => {
    const model = await load(
      [
        'Metadata:',
        '  common: &env { STAGE: dev, LEVEL: info }',
        'Resources:',
        '  Fn:',
        '    Type: AWS::Serverless::Function',
        '    Properties:',
        '      Runtime: nodejs20.x',
        '      Handler: index.handler',
        '      CodeUri: src',
        '      Environment: { Variables: *env }',
      ].join('\n'),
    );
    assert.deepEqual(model.functions[0].environment, { STAGE: 'dev', LEVEL: 'info' });
  });

  it('!Ref of a resource inside its own properties is a circular dependency, at the tag', async () => {
    const error = await rejection(
      [
        'Resources:',
        '  Fn:',
        '    Type: AWS::Serverless::Function',
        '    Properties:',
        '      Runtime: nodejs20.x',
        '      Handler: index.handler',
        '      CodeUri: src',
        '      Environment:',
        '        Variables:',
        '          SELF: !Ref Fn',
      ].join('\n'),
    );
    assert.deepEqual([error.position.line, error.position.column, error.resource], [10, 17, 'Fn']);
    assert.equal(
      error.problem,
      'Circular dependency between resources: [Fn] (CloudFormation rejects it); a resource cannot refer to itself',
    );
  });

  it('a circle between two CloudFormation resources is rejected; a SAM function ⇄ API pair is not', async () => {
    const error = await rejection(
      [
        'Resources:',
        '  A:',
        '    Type: AWS::Lambda::Function',
        '    Properties: { Runtime: nodejs20.x, Handler: index.handler, Code: src, Role: !GetAtt B.Arn }',
        '  B:',
        '    Type: AWS::IAM::Role',
        '    Properties: { Description: !Sub "role of ${A}" }',
      ].join('\n'),
    );
    assert.match(error.problem, /^Circular dependency between resources: \[(A, B|B, A)\]/);

    const model = await load(
      [
        'Resources:',
        '  Fn:',
        '    Type: AWS::Serverless::Function',
        '    Properties:',
        '      Runtime: nodejs20.x',
        '      Handler: index.handler',
        '      CodeUri: src',
        '      Events: { Get: { Type: Api, Properties: { RestApiId: !Ref Api, Path: /, Method: get } } }',
        '  Api:',
        '    Type: AWS::Serverless::Api',
        '    Properties:',
        '      StageName: prod',
        '      DefinitionBody: { x-fn: !GetAtt Fn.Arn }',
      ].join('\n'),
    );
    assert.deepEqual(
      model.functions.map((f) => f.logicalId),
      ['Fn'],
    );
  });
});
