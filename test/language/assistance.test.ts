// Hover, completion, document symbols, folding and code lenses over LSP.
import assert from 'node:assert/strict';
import type { CodeLens, CompletionItem, DocumentSymbol, FoldingRange, Hover } from 'vscode-languageserver-protocol';
import { edit, freshUri, PROJECT, rangeOf, TEMPLATE } from './languageFixture';
import { LspClient, positionOf } from './lspClient';

describe('language server: hover, completion, outline', function () {
  this.timeout(30_000);
  let client: LspClient;
  let uri: string;
  before(async () => {
    client = await LspClient.start(PROJECT);
    uri = freshUri();
    await client.open(uri, TEMPLATE);
    // The loader's pass has run once its notes are published.
    await client.diagnostics(uri, (p) => p.diagnostics.some((d) => /cannot be resolved locally/.test(d.message)));
  });
  after(() => client?.stop());

  const hoverAt = async (needle: string, offset: number): Promise<Hover> => {
    const h = await client.request<Hover | null>('textDocument/hover', uri, positionOf(TEMPLATE, needle, offset));
    assert.ok(h, `no hover at ${needle}`);
    return h;
  };
  const text = (h: Hover): string => (h.contents as { value: string }).value;

  it("a function's effective configuration: Globals merged, intrinsics resolved by the runtime", async () => {
    const h = await hoverAt('  HelloFunction:', 4);
    assert.deepEqual(h.range, rangeOf(TEMPLATE, '  HelloFunction:', 'HelloFunction'));
    const value = text(h);
    assert.match(value, /\*\*HelloFunction\*\* — effective configuration/);
    assert.match(value, /\| MemorySize \| `256 MB` \|/);
    assert.match(value, /\| Timeout \| `10 s` \|/);
    assert.match(value, /\| Runtime \| `nodejs22\.x — Supported by AWS until 2027-04-30\. Runs in Lambda Lab\.` \|/);
    assert.match(value, /\| Code \| `src` \|/);
    assert.match(value, /\| Layers \| `SharedLayer` \|/);
    assert.match(value, /\| STAGE \| `dev` \|/);
    assert.match(value, /\| GREETING \| `hello-dev` \|/);
    assert.match(value, /\| TABLE_ARN \| `Table\.Arn` \|/);
  });

  it('where a Handler leads', async () => {
    const h = await hoverAt('Handler: app.handler', 12);
    assert.deepEqual(h.range, rangeOf(TEMPLATE, 'app.handler'));
    assert.equal(text(h), 'Loads `handler` from `src/app.js:3`, as the nodejs22.x runtime resolves it');
  });

  it("a runtime's support status", async () => {
    const h = await hoverAt('Runtime: python3.13', 10);
    assert.deepEqual(h.range, rangeOf(TEMPLATE, 'python3.13'));
    assert.match(text(h), /Supported by AWS until 2029-06-30/);
  });

  it("an intrinsic's resolved value", async () => {
    assert.match(
      text(await hoverAt("'hello-${Stage}'", 10)),
      /Resolves to `hello-dev` \(GREETING of HelloFunction, as the runtime sets it\)/,
    );
    assert.match(
      text(await hoverAt('${HelloFunction.Arn}', 4)),
      /resolves to `arn:aws:lambda:us-east-1:123456789012:function:HelloFunction`/,
    );
    assert.match(text(await hoverAt('STAGE: !Ref Stage', 13)), /Resolves to `dev` \(STAGE in every function/);
    assert.match(text(await hoverAt('!Ref SharedLayer', 6)), /resolves to `arn:aws:lambda:us-east-1:123456789012:layer:SharedLayer:1`/);
    const h = await hoverAt('!Equals [!Ref Stage', 14);
    assert.deepEqual(h.range, rangeOf(TEMPLATE, '!Equals [!Ref Stage', 'Stage'));
    assert.match(text(h), /Parameter \(String\): resolves to `dev`/);
  });

  /** Completion labels with the document edited so that `line` replaces `from`, cursor at its end. */
  const complete = async (from: string, line: string): Promise<CompletionItem[]> => {
    const edited = edit(TEMPLATE, from, line);
    const doc = freshUri();
    await client.open(doc, edited);
    const before = edited.slice(0, TEMPLATE.indexOf(from) + line.length);
    const position = { line: before.split('\n').length - 1, character: before.length - before.lastIndexOf('\n') - 1 };
    const items = await client.request<CompletionItem[]>('textDocument/completion', doc, position);
    await client.close(doc);
    return items;
  };
  const labels = (items: CompletionItem[]): string[] => items.map((i) => i.label);

  it('logical ids in Ref, GetAtt and Sub, GetAtt attributes by type', async () => {
    const ref = await complete('TABLE: !Ref Table', 'TABLE: !Ref Ta');
    assert.deepEqual(labels(ref), [
      'Stage',
      'HelloFunction',
      'EsmFunction',
      'PyFunction',
      'SharedLayer',
      'Table',
      'AWS::AccountId',
      'AWS::NotificationARNs',
      'AWS::NoValue',
      'AWS::Partition',
      'AWS::Region',
      'AWS::StackId',
      'AWS::StackName',
      'AWS::URLSuffix',
    ]);
    const table = ref.find((i) => i.label === 'Table')!;
    assert.equal(table.detail, 'AWS::DynamoDB::Table');
    const line = rangeOf(TEMPLATE, 'TABLE: !Ref Table').start.line;
    assert.deepEqual((table.textEdit as { range: unknown }).range, { start: { line, character: 22 }, end: { line, character: 24 } });
    assert.deepEqual(labels(await complete('!GetAtt Table.Arn', '!GetAtt Table.')), ['Arn', 'StreamArn']);
    assert.deepEqual(labels(await complete('!GetAtt Table.Arn', '!GetAtt Sh')), [
      'HelloFunction',
      'EsmFunction',
      'PyFunction',
      'SharedLayer',
      'Table',
    ]);
    assert.deepEqual(labels(await complete("'hello-${Stage}'", "'hello-${HelloFunction.")), ['Arn']);
    assert.ok(labels(await complete("'hello-${Stage}'", "'hello-${St")).includes('Stage'));
    assert.deepEqual(labels(await complete('Condition: IsProd', 'Condition: Is')), ['IsProd']);
  });

  it('Runtime values, Handler paths from CodeUri, property names and enum values', async () => {
    const runtimes = await complete('Runtime: python3.13', 'Runtime: py');
    assert.ok(labels(runtimes).includes('python3.14') && labels(runtimes).includes('nodejs22.x'));
    assert.match(runtimes.find((i) => i.label === 'nodejs20.x')!.detail!, /Deprecated by AWS on 2026-04-30/);
    assert.deepEqual(labels(await complete('Handler: app.handler', 'Handler: ap')).sort(), ['app.handler', 'app.other', 'esm.handler']);
    assert.deepEqual(labels(await complete('Handler: app.lambda_handler', 'Handler: ')), ['app.lambda_handler']);
    const properties = labels(await complete('      Timeout: 10', '      Tim'));
    assert.ok(properties.includes('Timeout') && properties.includes('CodeUri') && properties.includes('Layers'), properties.join());
    assert.deepEqual(labels(await complete('      Timeout: 10', '      Architectures:\n        - ')), ['x86_64', 'arm64']);
    assert.deepEqual(labels(await complete('      Timeout: 10', '      PackageType: ')), ['Zip', 'Image']);
    assert.deepEqual(labels(await complete('      Timeout: 10', '      LoggingConfig:\n        LogFormat: ')), ['Text', 'JSON']);
    assert.ok(labels(await complete('    Type: AWS::DynamoDB::Table', '    Type: AWS::')).includes('AWS::Serverless::Function'));
  });

  it('document symbols: parameters, resources by type, outputs', async () => {
    const symbols = await client.request<DocumentSymbol[]>('textDocument/documentSymbol', uri);
    assert.deepEqual(
      symbols.map((s) => s.name),
      ['AWSTemplateFormatVersion', 'Transform', 'Parameters', 'Conditions', 'Globals', 'Resources', 'Outputs'],
    );
    const resources = symbols.find((s) => s.name === 'Resources')!;
    assert.deepEqual(
      resources.children!.map((g) => [g.name, g.children!.map((c) => c.name)]),
      [
        ['AWS::Serverless::Function', ['HelloFunction', 'EsmFunction', 'PyFunction']],
        ['AWS::Serverless::LayerVersion', ['SharedLayer']],
        ['AWS::DynamoDB::Table', ['Table']],
      ],
    );
    const hello = resources.children![0].children![0];
    assert.deepEqual(hello.selectionRange, rangeOf(TEMPLATE, '  HelloFunction:', 'HelloFunction'));
    assert.deepEqual(
      symbols.find((s) => s.name === 'Parameters')!.children!.map((c) => c.name),
      ['Stage'],
    );
  });

  it("folding follows the template's blocks", async () => {
    const ranges = await client.request<FoldingRange[]>('textDocument/foldingRange', uri);
    const line = (needle: string): number => positionOf(TEMPLATE, needle).line;
    const has = (start: number, end: number): boolean => ranges.some((r) => r.startLine === start && r.endLine === end);
    assert.ok(has(line('  HelloFunction:'), line('GREETING: !Sub')), JSON.stringify(ranges));
    assert.ok(has(line('Parameters:'), line('    Default: dev')));
    assert.ok(has(line('      Layers:'), line('        - !Ref SharedLayer')));
  });

  it("Invoke | Debug | Logs above each function, wired to the extension's commands", async () => {
    const lenses = await client.request<CodeLens[]>('textDocument/codeLens', uri);
    const hello = rangeOf(TEMPLATE, '  HelloFunction:', 'HelloFunction');
    assert.deepEqual(
      lenses
        .filter((l) => l.range.start.line === hello.start.line)
        .map((l) => [l.command?.title, l.command?.command, l.command?.arguments]),
      [
        ['Invoke', 'lambdaLab.invoke', ['HelloFunction']],
        ['Debug', 'lambdaLab.debug', ['HelloFunction']],
        ['Logs', 'lambdaLab.openLogs', ['HelloFunction']],
      ],
    );
    assert.equal(lenses.length, 9);
  });
});
