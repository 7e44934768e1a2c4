// Diagnostics over LSP: each problem on the offending value, quick fixes where obvious,
// updated as the text changes, and only for documents that are templates.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CodeAction, Diagnostic, DocumentSymbol } from 'vscode-languageserver-protocol';
import { edit, freshUri, PROJECT, rangeOf, TEMPLATE, withMessage } from './languageFixture';
import { LspClient } from './lspClient';

const ERROR = 1;
const WARNING = 2;
const INFORMATION = 3;

/** Errors and warnings, leaving out whether Python runs here yet (that lands with the Python family). */
const problems = (diagnostics: Diagnostic[]): Diagnostic[] =>
  diagnostics.filter((d) => d.severity !== INFORMATION && !/^PyFunction cannot run in Lambda Lab/.test(d.message));

describe('language server: diagnostics', function () {
  this.timeout(30_000);
  let client: LspClient;
  before(async () => {
    client = await LspClient.start(PROJECT);
  });
  after(() => client?.stop());

  /** Opens text as a new document; the first diagnostics of its version (the fast checks). */
  const diagnose = async (
    text: string,
    accept?: (d: Diagnostic[]) => boolean,
    extension = 'yaml',
  ): Promise<{ uri: string; diagnostics: Diagnostic[] }> => {
    const uri = freshUri(extension);
    await client.open(uri, text, extension === 'json' ? 'json' : 'yaml');
    const published = await client.diagnostics(uri, accept ? (p) => accept(p.diagnostics) : undefined);
    return { uri, diagnostics: published.diagnostics };
  };
  const fixes = (uri: string, diagnostic: Diagnostic): Promise<CodeAction[]> =>
    client.request('textDocument/codeAction', uri, undefined, { range: diagnostic.range, context: { diagnostics: [diagnostic] } });

  it("the fixture template has no errors or warnings; the loader's notes sit on the intrinsic", async () => {
    const { diagnostics } = await diagnose(TEMPLATE, (d) => d.some((x) => /cannot be resolved locally/.test(x.message)));
    assert.deepEqual(problems(diagnostics), []);
    const note = withMessage(diagnostics, /GetAtt Table\.Arn \(AWS::DynamoDB::Table\) cannot be resolved locally/);
    assert.deepEqual(note.range, rangeOf(TEMPLATE, '!GetAtt Table.Arn'));
  });

  for (const example of ['hello', 'layers']) {
    it(`the bundled examples/${example} template has no errors`, async () => {
      const file = path.resolve(__dirname, '../../examples', example, 'template.yaml');
      const uri = pathToFileURL(file).href;
      await client.open(uri, readFileSync(file, 'utf8'));
      const published = await client.diagnostics(uri);
      assert.deepEqual(
        published.diagnostics.filter((d) => d.severity === ERROR),
        [],
      );
      await client.close(uri);
    });
  }

  it('an unknown Ref, with the case fix', async () => {
    const text = edit(TEMPLATE, 'TABLE: !Ref Table', 'TABLE: !Ref table');
    const { uri, diagnostics } = await diagnose(text);
    const d = withMessage(diagnostics, /^Ref table: no parameter/);
    assert.equal(d.severity, ERROR);
    assert.deepEqual(d.range, rangeOf(text, '!Ref table', 'table'));
    assert.match(d.message, /did you mean Table\?/);
    const [fix] = await fixes(uri, d);
    assert.equal(fix.title, 'Change to Table');
    assert.deepEqual(fix.edit?.changes?.[uri], [{ range: d.range, newText: 'Table' }]);
  });

  it('a Ref one typo away from a single logical id gets that fix; an ambiguous one gets none', async () => {
    let text = edit(TEMPLATE, 'TABLE: !Ref Table', 'TABLE: !Ref Tabel');
    text = edit(text, '- !Ref SharedLayer', '- !Ref SharedLayr');
    const { uri, diagnostics } = await diagnose(text);
    const typo = withMessage(diagnostics, /^Ref Tabel: .*\(did you mean Table\?\)$/);
    assert.deepEqual(
      (await fixes(uri, typo)).map((f) => f.title),
      ['Change to Table'],
    );
    assert.equal(withMessage(diagnostics, /^Ref SharedLayr:/).message.includes('did you mean SharedLayer?'), true);
    const ambiguous = edit(
      edit(TEMPLATE, '\nOutputs:', '  Tables:\n    Type: AWS::SQS::Queue\n\nOutputs:'),
      '!Ref Table\n',
      '!Ref Tabls\n',
    );
    const d = withMessage((await diagnose(ambiguous)).diagnostics, /^Ref Tabls:/);
    assert.doesNotMatch(d.message, /did you mean/);
  });

  it('unknown GetAtt targets and attributes, and Sub ${} names', async () => {
    let text = edit(TEMPLATE, '!GetAtt Table.Arn', '!GetAtt Table.StreamUrl');
    text = edit(text, "'hello-${Stage}'", "'hello-${Stag}-${Nothing.Arn}'");
    text = edit(text, "'${HelloFunction.Arn}'", "'${HelloFunction.arn}'");
    const { uri, diagnostics } = await diagnose(text);
    const attribute = withMessage(diagnostics, /has no attribute StreamUrl/);
    assert.deepEqual(attribute.range, rangeOf(text, 'Table.StreamUrl', 'StreamUrl'));
    assert.match(attribute.message, /AWS::DynamoDB::Table has no attribute StreamUrl for GetAtt \(it has Arn, StreamArn\)/);
    assert.deepEqual(withMessage(diagnostics, /^Sub Stag:/).range, rangeOf(text, '${Stag}', 'Stag'));
    assert.deepEqual(
      withMessage(diagnostics, /GetAtt Nothing\.Arn: there is no resource Nothing/).range,
      rangeOf(text, 'Nothing.Arn', 'Nothing'),
    );
    const lower = withMessage(diagnostics, /has no attribute arn/);
    assert.deepEqual(lower.range, rangeOf(text, 'HelloFunction.arn', 'arn'));
    const [fix] = await fixes(uri, lower);
    assert.equal(fix.title, 'Change to Arn');
  });

  it('unknown conditions and DependsOn targets', async () => {
    let text = edit(TEMPLATE, 'Condition: IsProd', 'Condition: IsProduction');
    text = edit(
      text,
      '  PyFunction:\n    Type: AWS::Serverless::Function\n',
      '  PyFunction:\n    Type: AWS::Serverless::Function\n    DependsOn: [Tabel]\n',
    );
    const { diagnostics } = await diagnose(text);
    assert.deepEqual(withMessage(diagnostics, /condition IsProduction is not declared/).range, rangeOf(text, 'IsProduction'));
    assert.deepEqual(withMessage(diagnostics, /DependsOn Tabel: there is no resource Tabel/).range, rangeOf(text, 'Tabel'));
  });

  it('a Handler export missing from CodeUri, with a fix that creates it', async () => {
    const text = edit(TEMPLATE, 'Handler: app.handler', 'Handler: app.missing');
    const { uri, diagnostics } = await diagnose(text);
    const d = withMessage(diagnostics, /HelloFunction: src\/app\.js does not export missing \(it exports handler, other\)/);
    assert.deepEqual(d.range, rangeOf(text, 'app.missing'));
    const [fix] = await fixes(uri, d);
    assert.equal(fix.title, 'Create missing in app.js');
    const appUri = pathToFileURL(path.join(PROJECT, 'src/app.js')).href;
    assert.deepEqual(fix.edit?.changes?.[appUri], [
      {
        range: { start: { line: 7, character: 0 }, end: { line: 7, character: 0 } },
        newText: '\nexports.missing = async (event, context) => {\n  return {};\n};\n',
      },
    ]);
  });

  it('a Handler file missing, an ES module export, and a Python function', async () => {
    let text = edit(TEMPLATE, 'Handler: esm.handler', 'Handler: esm.main');
    text = edit(text, 'Handler: app.handler', 'Handler: lib/none.handler');
    text = edit(text, 'Handler: app.lambda_handler', 'Handler: app.handle');
    const { uri, diagnostics } = await diagnose(text);
    assert.deepEqual(
      withMessage(
        diagnostics,
        /Handler lib\/none\.handler names a file that is not in CodeUri \(looked for src\/lib\/none, src\/lib\/none\.js, src\/lib\/none\.mjs, src\/lib\/none\.cjs\)/,
      ).range,
      rangeOf(text, 'lib/none.handler'),
    );
    const esm = withMessage(diagnostics, /src\/esm\.mjs does not export main/);
    assert.equal(
      (await fixes(uri, esm))[0].edit?.changes?.[pathToFileURL(path.join(PROJECT, 'src/esm.mjs')).href]?.[0].newText,
      '\nexport const main = async (event, context) => {\n  return {};\n};\n',
    );
    const py = withMessage(diagnostics, /py\/app\.py does not export handle \(it exports lambda_handler\)/);
    assert.deepEqual(py.range, rangeOf(text, 'app.handle'));
    assert.equal(
      (await fixes(uri, py))[0].edit?.changes?.[pathToFileURL(path.join(PROJECT, 'py/app.py')).href]?.[0].newText,
      '\n\ndef handle(event, context):\n    return {}\n',
    );
  });

  it('a CodeUri folder that does not exist', async () => {
    const text = edit(TEMPLATE, 'CodeUri: py/', 'CodeUri: python/');
    const { diagnostics } = await diagnose(text);
    const d = withMessage(diagnostics, /PyFunction: CodeUri folder .*python does not exist; fix the path or create the folder/);
    assert.deepEqual(d.range, rangeOf(text, 'python/'));
  });

  it('deprecated, unknown and locally unsupported runtimes', async () => {
    let text = edit(TEMPLATE, 'Runtime: python3.13', 'Runtime: python3.9');
    text = edit(text, 'Runtime: nodejs22.x', 'Runtime: nodejs99.x');
    const { diagnostics } = await diagnose(text);
    const deprecated = withMessage(diagnostics, /python3\.9 was deprecated by AWS on 2025-12-15/);
    assert.equal(deprecated.severity, WARNING);
    assert.deepEqual(deprecated.range, rangeOf(text, 'python3.9'));
    const unknown = withMessage(diagnostics, /nodejs99\.x is not a Lambda runtime/);
    assert.deepEqual(unknown.range, rangeOf(text, 'nodejs99.x'));
    assert.equal(diagnostics.filter((d) => /nodejs99/.test(d.message)).length, 1, 'a Globals problem is reported once');

    const java = edit(TEMPLATE, 'Runtime: python3.13', 'Runtime: java21');
    const local = withMessage(
      (await diagnose(java)).diagnostics,
      /PyFunction cannot run in Lambda Lab: runtime java21 is not supported yet/,
    );
    assert.deepEqual(local.range, rangeOf(java, 'java21'));
    const globalJava = edit(TEMPLATE, 'Runtime: nodejs22.x', 'Runtime: java21');
    const once = (await diagnose(globalJava)).diagnostics.filter(
      (d) => /cannot run in Lambda Lab/.test(d.message) && !/^PyFunction/.test(d.message),
    );
    assert.equal(once.length, 1, 'a Globals runtime is reported once, not per function');
    assert.match(
      once[0].message,
      /^Functions using Globals\.Function\.Runtime cannot run in Lambda Lab: runtime java21 is not supported yet/,
    );
    assert.deepEqual(once[0].range, rangeOf(globalJava, 'java21'));
  });

  it("MemorySize, Timeout, EphemeralStorage and reserved concurrency out of Lambda's ranges", async () => {
    let text = edit(TEMPLATE, 'MemorySize: 256', 'MemorySize: 20000');
    text = edit(text, 'Timeout: 10', 'Timeout: 901\n      EphemeralStorage:\n        Size: 100\n      ReservedConcurrentExecutions: 5000');
    const { diagnostics } = await diagnose(text);
    assert.deepEqual(
      withMessage(diagnostics, /MemorySize must be a whole number from 128 to 10240 MB, not 20000/).range,
      rangeOf(text, '20000'),
    );
    assert.equal(diagnostics.filter((d) => /MemorySize/.test(d.message)).length, 1);
    assert.deepEqual(withMessage(diagnostics, /Timeout must be a whole number from 1 to 900 seconds, not 901/).range, rangeOf(text, '901'));
    assert.deepEqual(
      withMessage(diagnostics, /EphemeralStorage\.Size must be a whole number from 512 to 10240 MB, not 100/).range,
      rangeOf(text, 'Size: 100', '100'),
    );
    const reserved = withMessage(diagnostics, /ReservedConcurrentExecutions 5000 is more than Lambda allows/);
    assert.equal(reserved.severity, WARNING);
    assert.deepEqual(reserved.range, rangeOf(text, '5000'));
  });

  it('reserved environment variable names, more than five layers', async () => {
    let text = edit(TEMPLATE, '          TABLE: !Ref Table', '          AWS_REGION: eu-west-1\n          TABLE: !Ref Table');
    text = edit(
      text,
      '        - !Ref SharedLayer',
      ['!Ref SharedLayer', ...[1, 2, 3, 4, 5].map((n) => `arn:aws:lambda:us-east-1:123456789012:layer:l${n}:1`)]
        .map((l) => `        - ${l}`)
        .join('\n'),
    );
    const { diagnostics } = await diagnose(text);
    assert.deepEqual(withMessage(diagnostics, /AWS_REGION is reserved by Lambda/).range, rangeOf(text, 'AWS_REGION'));
    const layers = withMessage(diagnostics, /HelloFunction uses 6 layers; a function can use at most 5/);
    assert.deepEqual(layers.range.start, rangeOf(text, '- !Ref SharedLayer').start);
  });

  it('duplicate logical ids and circular dependencies', async () => {
    let text = `${TEMPLATE.replace(/\nOutputs:[\s\S]*$/, '')}\n  Table:\n    Type: AWS::SQS::Queue\n`;
    text = edit(
      text,
      '  PyFunction:\n    Type: AWS::Serverless::Function\n',
      '  PyFunction:\n    Type: AWS::Serverless::Function\n    DependsOn: HelloFunction\n',
    );
    text = edit(text, 'GREETING: !Sub', 'PY: !GetAtt PyFunction.Arn\n          GREETING: !Sub');
    const { diagnostics } = await diagnose(text);
    assert.deepEqual(withMessage(diagnostics, /duplicate logical id Table/).range, rangeOf(text, 'Table:', 'Table', 2));
    const cycles = diagnostics.filter((d) => /circular dependency: HelloFunction → PyFunction → HelloFunction/.test(d.message));
    assert.deepEqual(
      cycles.map((d) => d.range),
      [rangeOf(text, '  HelloFunction:', 'HelloFunction'), rangeOf(text, '  PyFunction:', 'PyFunction')],
    );
  });

  it("what only the runtime's loader knows, positioned on the value", async () => {
    const text = edit(TEMPLATE, 'Timeout: 10', 'Timeout: 10\n      Architectures: [x86_64, arm64]');
    const { diagnostics } = await diagnose(text, (d) => d.some((x) => /Architectures/.test(x.message)));
    const d = withMessage(diagnostics, /HelloFunction: Architectures must be a list of exactly one of x86_64, arm64/);
    assert.equal(d.severity, ERROR);
    assert.equal(d.range.start.line, rangeOf(text, '[x86_64, arm64]').start.line);
    assert.equal(d.range.start.character, rangeOf(text, '[x86_64, arm64]').start.character);
  });

  it('YAML syntax errors', async () => {
    const text = edit(TEMPLATE, '      Timeout: 10', '      Timeout: [10');
    const { diagnostics } = await diagnose(text);
    assert.ok(
      diagnostics.some((d) => d.severity === ERROR && d.range.start.line >= rangeOf(text, 'Timeout: [10').start.line),
      JSON.stringify(diagnostics),
    );
  });

  it('updates as the text changes', async () => {
    const broken = edit(TEMPLATE, 'TABLE: !Ref Table', 'TABLE: !Ref Tabl');
    const { uri, diagnostics } = await diagnose(broken);
    withMessage(diagnostics, /Ref Tabl:/);
    await client.change(uri, TEMPLATE);
    const fixed = await client.diagnostics(uri);
    assert.deepEqual(problems(fixed.diagnostics), []);
    await client.change(uri, edit(TEMPLATE, 'Timeout: 10', 'Timeout: 0'));
    withMessage((await client.diagnostics(uri)).diagnostics, /Timeout must be a whole number from 1 to 900 seconds, not 0/);
  });

  it('positions stay exact when an edit moves the resources after it, and Globals edits re-check every function', async () => {
    const broken = edit(TEMPLATE, 'Handler: app.lambda_handler', 'Handler: app.nope');
    const { uri } = await diagnose(broken);
    const moved = edit(broken, '      Timeout: 10', '      Timeout: 10\n      Description: one more line before PyFunction');
    await client.change(uri, moved);
    assert.deepEqual(withMessage((await client.diagnostics(uri)).diagnostics, /does not export nope/).range, rangeOf(moved, 'app.nope'));
    const globals = edit(moved, '    MemorySize: 256', '    MemorySize: 64');
    await client.change(uri, globals);
    const after = (await client.diagnostics(uri)).diagnostics;
    assert.deepEqual(
      withMessage(after, /MemorySize must be a whole number from 128 to 10240 MB, not 64/).range,
      rangeOf(globals, 'MemorySize: 64', '64'),
    );
    assert.deepEqual(withMessage(after, /does not export nope/).range, rangeOf(globals, 'app.nope'));
  });

  it('knows the resources the SAM transform generates', async () => {
    let text = edit(
      TEMPLATE,
      '      Timeout: 10',
      '      Timeout: 10\n      AutoPublishAlias: live\n      Events:\n        Hi:\n          Type: Api\n          Properties: {Path: /hi, Method: get}',
    );
    text =
      `${text}  Url:\n    Value: !Sub 'https://\${ServerlessRestApi}.execute-api.\${AWS::Region}.amazonaws.com/Prod/hi'\n` +
      '  Role:\n    Value: !GetAtt HelloFunctionRole.Arn\n  Alias:\n    Value: !Ref HelloFunction.Alias\n  Http:\n    Value: !Ref ServerlessHttpApi\n';
    const { diagnostics } = await diagnose(text);
    assert.deepEqual(
      problems(diagnostics).map((d) => d.message),
      ['Ref ServerlessHttpApi: no parameter, pseudo parameter or resource has this name; declare it under Parameters or fix the name'],
    );
  });

  it('JSON templates, by content', async () => {
    const json = JSON.stringify(
      {
        Resources: {
          Fn: {
            Type: 'AWS::Serverless::Function',
            Properties: {
              Runtime: 'nodejs22.x',
              CodeUri: 'src',
              Handler: 'app.handler',
              Environment: { Variables: { Q: { Ref: 'Queue' } } },
            },
          },
        },
      },
      null,
      2,
    );
    const { diagnostics } = await diagnose(json, undefined, 'json');
    assert.deepEqual(withMessage(diagnostics, /^Ref Queue: no parameter/).range, rangeOf(json, '"Queue"', 'Queue'));
  });

  it('leaves other YAML alone', async () => {
    const workflow = 'name: ci\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: npm test\n';
    const uri = freshUri();
    await client.open(uri, workflow);
    assert.deepEqual((await client.diagnostics(uri)).diagnostics, []);
    assert.deepEqual(await client.request<DocumentSymbol[]>('textDocument/documentSymbol', uri), []);
    assert.equal(await client.request('textDocument/hover', uri, { line: 0, character: 1 }), null);
  });
});
