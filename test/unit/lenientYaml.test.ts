// What PyYAML (SAM CLI) accepts is accepted, with a warning at the spot; what it rejects keeps
// its position-accurate error.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TemplateError } from '../../src/runtime/template/templateError';
import { loadTemplate } from '../../src/runtime/template/templateLoader';

const FUNCTION = [
  'Resources:',
  '  Fn:',
  '    Type: AWS::Serverless::Function',
  '    Properties:',
  '      Runtime: nodejs20.x',
  '      Handler: index.handler',
  '      CodeUri: src',
];

describe('lenient YAML, as SAM CLI reads templates', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'lambda-lab-lenient-'));
    mkdirSync(join(dir, 'src'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  const load = (lines: string[]) => {
    const file = join(dir, 'template.yaml');
    writeFileSync(file, lines.join('\n'));
    return loadTemplate(file, { stateDir: join(dir, '.lambda-lab') });
  };

  it('a duplicate key in an unrelated Outputs entry: loads, last value wins, warning at the second key', async () => {
    const model = await load([...FUNCTION, 'Outputs:', '  Out:', '    Value: one', '    Value: two']);
    assert.deepEqual(
      model.functions.map((f) => f.logicalId),
      ['Fn'],
    );
    const warning = model.diagnostics.find((d) => d.message.startsWith('duplicate key'));
    assert.ok(warning, JSON.stringify(model.diagnostics));
    assert.deepEqual(warning.position, { line: 11, column: 5 });
    assert.equal(warning.message, 'duplicate key Value (first at line 10); SAM CLI keeps this last value, remove one of them');
  });

  it('a duplicate key inside a function: the last value is used', async () => {
    const model = await load([...FUNCTION, '      MemorySize: 256', '      MemorySize: 512']);
    assert.equal(model.functions[0].memorySize, 512);
  });

  it('a flow sequence continued less indented than its key: loads, positions after it stay exact', async () => {
    const model = await load([...FUNCTION, '      Architectures: [', '    x86_64', '  ]', '      Timeout: nine']).then(
      () => assert.fail('expected the Timeout error'),
      (e: unknown) => e,
    );
    assert.ok(model instanceof TemplateError, String(model));
    // The error after the relaxed lines points where the file has the value.
    assert.deepEqual([model.position.line, model.position.column], [11, 16]);

    const ok = await load([...FUNCTION, '      Architectures: [', '  arm64', ']']);
    assert.deepEqual(ok.functions[0].architectures, ['arm64']);
    const warning = ok.diagnostics.find((d) => d.message.startsWith('this flow collection'));
    assert.ok(warning, JSON.stringify(ok.diagnostics));
    assert.equal(warning.position.line, 8);
  });

  it('an unclosed flow sequence is still rejected at its position', async () => {
    const error = await load([...FUNCTION, '      Layers: [a, b', '      Timeout: 3']).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(error instanceof TemplateError, String(error));
    assert.match(error.problem, /fix the YAML\/JSON syntax$/);
    assert.equal(error.position.line, 9);
  });
});
