// Templates → function model: Globals merged as SAM merges them, intrinsic functions,
// parameters, defaults, layers, and functions listed as unsupported with their reason.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FunctionConfig, TemplateModel } from '../../src/runtime/functionConfig';
import { loadTemplate } from '../../src/runtime/template/templateLoader';

const fixtures = join(__dirname, '../fixtures/templates');

describe('template loading', () => {
  let stateDir: string;
  let model: TemplateModel;
  const fn = (logicalId: string): FunctionConfig => {
    const found = model.functions.find((f) => f.logicalId === logicalId);
    assert.ok(found, `${logicalId} not among ${model.functions.map((f) => f.logicalId).join(', ')}`);
    return found;
  };

  before(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'lambda-lab-template-'));
    model = await loadTemplate(join(fixtures, 'full/template.yaml'), { stateDir });
  });
  after(() => rmSync(stateDir, { recursive: true, force: true }));

  describe('YAML: SAM functions with Globals', () => {
    it('merges Globals.Function: resource scalars win, maps merge, lists concatenate', () => {
      const hello = fn('HelloFunction');
      assert.equal(hello.runtime, 'nodejs20.x');
      assert.equal(hello.memorySize, 512);
      assert.equal(hello.timeout, 10);
      assert.equal(hello.environment.STAGE, 'dev');
      assert.equal(hello.environment.SHARED, 'from-globals');
      assert.equal(hello.environment.OVERRIDDEN, 'from-function');
      assert.deepEqual(hello.layers, ['arn:aws:lambda:us-east-1:123456789012:layer:shared:3', 'UtilsLayer']);
      const other = fn('OtherFunction');
      assert.equal(other.runtime, 'nodejs22.x');
      assert.equal(other.memorySize, 256);
      assert.deepEqual(other.environment, { STAGE: 'dev', SHARED: 'from-globals', OVERRIDDEN: 'from-globals' });
    });

    it('reads every configuration field in Lambda shapes', () => {
      const hello = fn('HelloFunction');
      assert.equal(hello.handler, 'app.handler');
      assert.equal(hello.codeDir, join(fixtures, 'full/src'));
      assert.equal(hello.description, 'hello in dev');
      assert.equal(hello.reservedConcurrentExecutions, 5);
      assert.equal(hello.autoPublishAlias, 'live');
      assert.deepEqual(hello.loggingConfig, {
        logFormat: 'JSON',
        applicationLogLevel: 'DEBUG',
        systemLogLevel: 'INFO',
        logGroup: '/aws/lambda/HelloFunction',
      });
      assert.equal(hello.templatePath, join(fixtures, 'full/template.yaml'));
      assert.deepEqual(hello.position, { line: 44, column: 3 });

      const other = fn('OtherFunction');
      assert.equal(other.functionName, 'full-other');
      assert.deepEqual(other.architectures, ['arm64']);
      assert.equal(other.ephemeralStorage, 1024);
      assert.deepEqual(other.loggingConfig, { logFormat: 'Text', logGroup: '/custom/other' });
    });

    it('applies Lambda defaults when properties are absent', () => {
      const inline = fn('InlineFunction');
      assert.equal(inline.functionName, 'InlineFunction');
      assert.equal(inline.memorySize, 128);
      assert.equal(inline.timeout, 3);
      assert.deepEqual(inline.architectures, ['x86_64']);
      assert.equal(inline.ephemeralStorage, 512);
      assert.deepEqual(inline.loggingConfig, { logFormat: 'Text', logGroup: '/aws/lambda/InlineFunction' });
      assert.deepEqual(inline.environment, {});
      assert.deepEqual(inline.layers, []);
      assert.equal(inline.reservedConcurrentExecutions, undefined);
      assert.equal(inline.description, undefined);
    });
  });

  describe('intrinsic functions', () => {
    const env = () => fn('HelloFunction').environment;
    it('resolves Ref to parameters and pseudo parameters', () => {
      assert.equal(env().REGION, 'us-east-1');
      assert.equal(env().ACCOUNT, '123456789012');
      assert.equal(env().STACK, 'full');
      assert.equal(env().PARTITION, 'aws');
      assert.equal(env().SUFFIX, 'amazonaws.com');
      assert.equal(env().SUBNET, 'c');
    });
    it('resolves Fn::Sub in string and list forms, with ${!Literal} escapes and ${Res.Attr}', () => {
      assert.equal(env().SUB, 'items-dev-us-east-1');
      assert.equal(env().SUB_LIST, 'a-b/items/${Literal}');
      assert.equal(env().SUB_ATTR, 'arn:aws:lambda:us-east-1:123456789012:function:full-other');
    });
    it('resolves Fn::If with Equals/Not/And/Or conditions', () => {
      assert.equal(env().IF_DEV, 'dev-value');
      assert.equal(env().AND, 'yes');
      assert.equal(env().OR, 'yes');
    });
    it('resolves Join, Select, Split, Base64, FindInMap and GetAZs', () => {
      assert.equal(env().JOINED, 'x,dev,3');
      assert.equal(env().SELECTED, 'q');
      assert.equal(env().B64, Buffer.from('hello').toString('base64'));
      assert.equal(env().MAPPED, 'debug');
      assert.equal(env().AZ, 'us-east-1a');
    });
    it('resolves Ref and GetAtt Arn of functions (both GetAtt forms) to local names and ARNs', () => {
      assert.equal(env().OTHER_NAME, 'full-other');
      assert.equal(env().OTHER_ARN, 'arn:aws:lambda:us-east-1:123456789012:function:full-other');
      assert.equal(env().OTHER_ARN_LIST, env().OTHER_ARN);
    });
    it('stringifies values and drops AWS::NoValue', () => {
      assert.equal(env().NUMBER, '42');
      assert.equal(env().FLAG, 'true');
      assert.equal('GONE' in env(), false);
    });
    it('turns what only a stack knows into placeholders with warnings pointing at the expression', () => {
      assert.equal(env().TABLE_ARN, 'ItemsTable.Arn');
      assert.equal(env().TABLE_REF, 'ItemsTable');
      assert.equal(env().IMPORTED, 'shared-bucket');
      const warnings = model.diagnostics.map((d) => [d.severity, d.resource, d.position.line, d.position.column, d.message.split(' ')[0]]);
      assert.deepEqual(warnings, [
        ['warning', 'HelloFunction', 79, 22, 'GetAtt'],
        ['warning', 'HelloFunction', 80, 22, 'Ref'],
        ['warning', 'HelloFunction', 85, 21, 'Fn::ImportValue'],
      ]);
      assert.match(model.diagnostics[0].message, /GetAtt ItemsTable\.Arn \(AWS::DynamoDB::Table\) cannot be resolved locally/);
    });
    it('evaluates property values too (Fn::If on MemorySize) and skips resources whose Condition is false', () => {
      assert.equal(fn('PlainLambdaFunction').memorySize, 2048);
      assert.equal(
        model.functions.some((f) => f.logicalId === 'ProdOnlyFunction'),
        false,
      );
      assert.equal(
        model.unsupported.some((f) => f.logicalId === 'ProdOnlyFunction'),
        false,
      );
    });
  });

  describe('parameters', () => {
    it('reports defaults', () => {
      assert.deepEqual(model.parameters, { Stage: 'dev', TableName: 'items', Subnets: 'a, b, c' });
    });
    it('applies overrides everywhere they are referenced, conditions included', async () => {
      const prod = await loadTemplate(join(fixtures, 'full/template.yaml'), {
        stateDir,
        parameterOverrides: { Stage: 'prod' },
        region: 'eu-west-1',
        accountId: '111122223333',
      });
      const hello = prod.functions.find((f) => f.logicalId === 'HelloFunction')!;
      assert.equal(prod.parameters.Stage, 'prod');
      assert.equal(hello.environment.IF_DEV, 'prod-value');
      assert.equal(hello.environment.MAPPED, 'warn');
      assert.equal(hello.environment.SUB, 'items-prod-eu-west-1');
      assert.equal(hello.environment.OTHER_ARN, 'arn:aws:lambda:eu-west-1:111122223333:function:full-other');
      assert.equal(prod.functions.find((f) => f.logicalId === 'PlainLambdaFunction')!.memorySize, 1024);
      assert.ok(prod.functions.some((f) => f.logicalId === 'ProdOnlyFunction'));
    });
    it('rejects an override outside AllowedValues, naming the parameter', async () => {
      await assert.rejects(loadTemplate(join(fixtures, 'full/template.yaml'), { stateDir, parameterOverrides: { Stage: 'qa' } }), {
        name: 'TemplateError',
        message: `${join(fixtures, 'full/template.yaml')}:7:5: parameter Stage = "qa" is not one of its AllowedValues (dev, prod); change the Default or the override`,
      });
    });
  });

  describe('code locations', () => {
    it('writes inline ZipFile code to <stateDir>/inline/<id>/index.js', () => {
      const inline = fn('InlineFunction');
      assert.equal(inline.codeDir, join(stateDir, 'inline', 'InlineFunction'));
      assert.equal(readFileSync(join(inline.codeDir, 'index.js'), 'utf8'), "exports.handler = async () => 'inline';\n");
    });
    it('writes SAM InlineCode the same way, overriding Globals.Function.Runtime; AWS::NoValue keeps the default', () => {
      const inline = fn('SamInlineFunction');
      assert.equal(inline.runtime, 'nodejs24.x');
      assert.equal(inline.timeout, 3);
      assert.equal(
        readFileSync(join(stateDir, 'inline', 'SamInlineFunction', 'index.js'), 'utf8'),
        "exports.handler = async () => 'sam-inline';",
      );
    });
    it('reads AWS::Lambda::Function with a local Code path and a provided runtime', () => {
      const plain = fn('PlainLambdaFunction');
      assert.equal(plain.functionName, 'plain');
      assert.equal(plain.runtime, 'provided.al2023');
      assert.equal(plain.codeDir, join(fixtures, 'full/src'));
    });
    it('turns Metadata BuildMethod esbuild into a build config and builds into <stateDir>/build/<id>', () => {
      const ts = fn('TsFunction');
      assert.equal(ts.codeDir, join(stateDir, 'build', 'TsFunction'));
      assert.deepEqual(ts.build, {
        method: 'esbuild',
        sourceDir: join(fixtures, 'full/ts'),
        entryPoints: ['app.ts'],
        sourcemap: true,
        target: 'es2022',
        format: 'esm',
        minify: false,
        external: ['aws-sdk'],
        outExtension: '.mjs',
      });
      // As sam build does when Sourcemap is on.
      assert.equal(ts.environment.NODE_OPTIONS, '--enable-source-maps');
    });
  });

  it('lists functions that cannot run here with the reason, at their logical id', () => {
    const listed = model.unsupported.map((u) => [u.logicalId, u.position.line, u.reason]);
    assert.deepEqual(listed, [
      [
        'JavaFunction',
        151,
        'runtime java21 is not supported yet (supported: nodejs18.x, nodejs20.x, nodejs22.x, nodejs24.x, python3.9, python3.10, python3.11, python3.12, python3.13, python3.14, provided, provided.al2, provided.al2023)',
      ],
      ['ImageFunction', 158, 'PackageType Image is not supported: Lambda Lab runs .zip functions as host processes, not container images'],
      ['S3Function', 164, 'CodeUri points at S3 (s3://my-bucket/code.zip); Lambda Lab runs local code: set CodeUri to a local folder'],
      ['S3MapFunction', 170, 'Code points at S3 (s3://my-bucket/code.zip); Lambda Lab runs local code: set Code to a local folder'],
      [
        'MissingDirFunction',
        179,
        `CodeUri folder ${join(fixtures, 'full/does-not-exist')} does not exist; fix the path or create the folder`,
      ],
    ]);
  });

  it('reads both kinds of layer resources', () => {
    assert.deepEqual(
      model.layers.map(({ templatePath: _t, ...l }) => l),
      [
        {
          logicalId: 'UtilsLayer',
          layerName: 'utils',
          description: 'shared utilities',
          contentPath: join(fixtures, 'full/layer'),
          compatibleRuntimes: ['nodejs20.x', 'nodejs22.x'],
          compatibleArchitectures: ['x86_64'],
          position: { line: 185, column: 3 },
        },
        {
          logicalId: 'RawLayer',
          layerName: 'RawLayer',
          contentPath: join(fixtures, 'full/layer'),
          compatibleRuntimes: ['nodejs20.x'],
          compatibleArchitectures: [],
          position: { line: 194, column: 3 },
        },
      ],
    );
  });

  it('reads JSON templates with long-form intrinsics and positions', async () => {
    const json = await loadTemplate(join(fixtures, 'json/template.json'), { stateDir });
    const [api, low] = json.functions;
    assert.equal(api.logicalId, 'JsonFunction');
    assert.deepEqual(api.position, { line: 11, column: 5 });
    assert.equal(api.timeout, 7);
    assert.deepEqual(api.environment, {
      FROM_GLOBALS: 'g',
      GREETING: 'hi, us-east-1',
      JOINED: 'hi/x',
      ARN: 'arn:aws:lambda:us-east-1:123456789012:function:low-level',
    });
    assert.equal(low.functionName, 'low-level');
    assert.equal(low.codeDir, join(fixtures, 'json/code'));
    assert.deepEqual(low.loggingConfig, {
      logFormat: 'JSON',
      applicationLogLevel: 'INFO',
      systemLogLevel: 'WARN',
      logGroup: '/aws/lambda/low-level',
    });
    assert.deepEqual(json.diagnostics, []);
  });
});
