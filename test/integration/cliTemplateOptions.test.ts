// What every template-loading command shares: template warnings on stderr (and in JSON), the
// options one command suggests to another (--layer-arn-map, --region), the host's region,
// functions that cannot run here listed with their runtime and handler, and layers that are
// not available locally named before an invoke fails on them.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const CLI = path.join(__dirname, '..', '..', 'out', 'cli.js');
const LAYER_ARN = 'arn:aws:lambda:us-east-1:580247275435:layer:LambdaInsightsExtension:52';

const TEMPLATE = `Resources:
  Region:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs20.x
      Handler: index.region
      CodeUri: src
      Environment: { Variables: { WHERE: !Ref Unknowable } }
  WithLayer:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs20.x
      Handler: index.layer
      CodeUri: src
      Layers: ['${LAYER_ARN}']
  Durable:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs22.x
      Handler: index.region
      CodeUri: src
      DurableConfig: { ExecutionTimeout: 900 }
  Networked:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs20.x
      Handler: index.region
      CodeUri: src
      VpcConfig: { SubnetIds: [!Ref Unknowable], SecurityGroupIds: [] }
  Unknowable:
    Type: AWS::SQS::Queue
Outputs:
  Out:
    Value: one
    Value: two
`;

describe('cli: template options and warnings in every command', function () {
  this.timeout(60_000);
  let dir: string;
  const run = (args: string[], env: NodeJS.ProcessEnv = {}) => {
    const r = spawnSync(process.execPath, [CLI, ...args], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 50_000,
      env: { ...process.env, AWS_REGION: '', AWS_DEFAULT_REGION: '', AWS_CONFIG_FILE: path.join(dir, 'no-config'), ...env },
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lambda-lab-cli-options-'));
    fs.mkdirSync(path.join(dir, 'src'));
    fs.writeFileSync(
      path.join(dir, 'src', 'index.js'),
      `
exports.region = async (event, context) => ({ region: process.env.AWS_REGION, arn: context.invokedFunctionArn });
exports.layer = async () => require('marker');`,
    );
    fs.mkdirSync(path.join(dir, 'insights', 'nodejs', 'node_modules'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'insights', 'nodejs', 'node_modules', 'marker.js'), 'module.exports = "from the mapped layer";');
    fs.writeFileSync(path.join(dir, 'layers.json'), JSON.stringify({ [LAYER_ARN]: './insights' }));
    fs.writeFileSync(path.join(dir, 'template.yaml'), TEMPLATE);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('list --json: warnings, unrunnable functions keep runtime and handler, missing layers named', () => {
    const r = run(['list', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    const messages: string[] = j.warnings.map((w: { message: string }) => w.message);
    assert.ok(
      messages.some((m) => m.startsWith('duplicate key Value')),
      messages.join('\n'),
    );
    assert.ok(
      messages.some((m) => m.includes('Ref Unknowable')),
      messages.join('\n'),
    );
    // A property that changes behaviour is named once, without warnings about its unused values.
    const networked = j.warnings
      .filter((w: { resource?: string }) => w.resource === 'Networked')
      .map((w: { message: string }) => w.message);
    assert.deepEqual(networked, [
      'VpcConfig: the function runs on your network, not in the VPC: private endpoints may be unreachable and public ones reachable',
    ]);
    const durable = j.functions.find((f: { logicalId: string }) => f.logicalId === 'Durable');
    assert.deepEqual(durable.durableConfig, { executionTimeout: 900, retentionPeriodInDays: 14 });
    const withLayer = j.functions.find((f: { logicalId: string }) => f.logicalId === 'WithLayer');
    assert.deepEqual(withLayer.missingLayers, [LAYER_ARN]);
    // The same warnings reach stderr.
    assert.match(r.stderr, /template\.yaml:\d+:\d+: warning: duplicate key Value/);
  });

  it('list (text) tells which function needs an unmapped layer; --layer-arn-map clears it', () => {
    const before = run(['list']);
    assert.match(before.stdout, new RegExp(`^WithLayer  \\(needs layer ${LAYER_ARN}, which is not available locally: map it`, 'm'));
    assert.doesNotMatch(before.stdout, /cannot run here: DurableConfig/);
    const after = run(['list', '--layer-arn-map', 'layers.json']);
    assert.doesNotMatch(after.stdout, /needs layer/);
  });

  it('invoke: template warnings on stderr; --layer-arn-map, as list suggests', () => {
    const r = run(['invoke', 'WithLayer', '--layer-arn-map', 'layers.json', '--quiet']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '"from the mapped layer"\n');
    assert.match(r.stderr, /warning: .*duplicate key Value/);
    const json = JSON.parse(run(['invoke', 'WithLayer', '--layer-arn-map', 'layers.json', '--quiet', '--json']).stdout);
    assert.equal(json.payload, 'from the mapped layer');
    assert.ok(
      json.warnings.some((w: { message: string }) => w.message.startsWith('duplicate key Value')),
      JSON.stringify(json.warnings),
    );
  });

  it('a layer mapped to null: list no longer flags it, invoke runs without it and says so', () => {
    fs.writeFileSync(path.join(dir, 'without.json'), JSON.stringify({ [LAYER_ARN]: null }));
    assert.doesNotMatch(run(['list', '--layer-arn-map', 'without.json']).stdout, /needs layer/);
    const r = run(['invoke', 'WithLayer', '--layer-arn-map', 'without.json', '--quiet']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /"errorMessage":"Cannot find module 'marker'/);
    assert.match(r.stderr, new RegExp(`warning: WithLayer: layer ${LAYER_ARN} is left out \\(the layer ARN map maps it to null\\)`));
  });

  it('a build error is printed as esbuild reports it, file:line:col, without our stack', () => {
    fs.mkdirSync(path.join(dir, 'broken', 'src'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'broken', 'src', 'app.ts'), 'export const handler = async () => {\n  return 1 +;\n};\n');
    fs.writeFileSync(
      path.join(dir, 'broken', 'template.yaml'),
      `Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties: { Runtime: nodejs20.x, Handler: app.handler, CodeUri: src }
    Metadata: { BuildMethod: esbuild, BuildProperties: { EntryPoints: [app.ts] } }
`,
    );
    const r = run(['invoke', 'Fn', '--template', 'broken/template.yaml']);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, `lambda-lab invoke: Fn: build failed\n${path.join(dir, 'broken', 'src', 'app.ts')}:2:13: Unexpected ";"\n`);
  });

  it('region: the host AWS_REGION as SAM honours it, --region over it, us-east-1 otherwise', () => {
    const region = (args: string[], env?: NodeJS.ProcessEnv) => JSON.parse(run(['invoke', 'Region', '--quiet', ...args], env).stdout);
    assert.deepEqual(region([]), { region: 'us-east-1', arn: 'arn:aws:lambda:us-east-1:123456789012:function:Region' });
    assert.equal(region([], { AWS_REGION: 'eu-west-3' }).region, 'eu-west-3');
    assert.equal(region([], { AWS_DEFAULT_REGION: 'ap-south-1' }).region, 'ap-south-1');
    fs.writeFileSync(path.join(dir, 'config'), '[default]\nregion = us-west-1\n[profile work]\nregion = eu-north-1\n');
    assert.equal(region([], { AWS_CONFIG_FILE: path.join(dir, 'config') }).region, 'us-west-1');
    assert.equal(region([], { AWS_CONFIG_FILE: path.join(dir, 'config'), AWS_PROFILE: 'work' }).region, 'eu-north-1');
    assert.deepEqual(region(['--region', 'sa-east-1'], { AWS_REGION: 'eu-west-3' }), {
      region: 'sa-east-1',
      arn: 'arn:aws:lambda:sa-east-1:123456789012:function:Region',
    });
    const bad = run(['invoke', 'Region', '--region', 'moon']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--region must be an AWS region such as eu-west-1, got "moon"/);
  });
});
