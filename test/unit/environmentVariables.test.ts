import * as assert from 'node:assert/strict';
import { environmentVariables } from '../../src/runtime/environment/environmentVariables';
import { nodeFamily } from '../../src/runtime/families/node/nodeFamily';
import type { ProcessLaunch } from '../../src/runtime/families/runtimeFamily';
import type { FunctionConfig } from '../../src/runtime/functionConfig';
import { userCacheDir } from '../../src/runtime/userCache';

/** Where the runtime's AWS SDK sits on NODE_PATH: Lambda's /var/runtime/node_modules, after layers. */
const RUNTIME_SDK = `${userCacheDir()}/aws-sdk/node_modules`;

const fn: FunctionConfig = {
  logicalId: 'Fn',
  functionName: 'my-fn',
  runtime: 'nodejs20.x',
  handler: 'app.handler',
  codeDir: '/code',
  memorySize: 256,
  timeout: 3,
  environment: { MY_VAR: 'x', AWS_REGION: 'eu-west-9' },
  architectures: ['x86_64'],
  loggingConfig: { logFormat: 'JSON', applicationLogLevel: 'WARN', logGroup: '/aws/lambda/my-fn' },
  ephemeralStorage: 512,
  layers: [],
  templatePath: '/t.yaml',
  position: { line: 1, column: 1 },
};

const base = {
  fn,
  version: '$LATEST',
  region: 'us-east-1',
  runtimeApi: '127.0.0.1:9001',
  logStreamName: '2026/11/27/[$LATEST]abc',
  binDir: '/node/bin',
  hostEnv: { AWS_ACCESS_KEY_ID: 'AKIA', AWS_ENDPOINT_URL_S3: 'http://s3', NODE_EXTRA_CA_CERTS: '/ca.pem', SECRET: 's' },
  hostAllowlist: ['AWS_ACCESS_KEY_ID', 'AWS_ENDPOINT_URL*'],
};

describe('Environment variables', () => {
  it("sets Lambda's variables and lets no function override a reserved one", () => {
    const env = environmentVariables(base);
    assert.equal(env.AWS_LAMBDA_FUNCTION_NAME, 'my-fn');
    assert.equal(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, '256');
    assert.equal(env.AWS_REGION, 'us-east-1');
    assert.equal(env.AWS_EXECUTION_ENV, 'AWS_Lambda_nodejs20.x');
    assert.equal(env.LAMBDA_TASK_ROOT, '/code');
    assert.equal(env._HANDLER, 'app.handler');
    assert.equal(env.AWS_LAMBDA_LOG_FORMAT, 'JSON');
    assert.equal(env.AWS_LAMBDA_LOG_LEVEL, 'WARN');
    assert.equal(env.MY_VAR, 'x');
  });

  it('passes only allowlisted host variables (prefixes with *)', () => {
    const env = environmentVariables(base);
    assert.equal(env.AWS_ACCESS_KEY_ID, 'AKIA');
    assert.equal(env.AWS_ENDPOINT_URL_S3, 'http://s3');
    assert.equal(env.NODE_EXTRA_CA_CERTS, undefined);
    assert.equal(env.SECRET, undefined);
  });

  it('puts layers where Node, PATH and LD_LIBRARY_PATH look, before the task root', async () => {
    const host = { binaries: { 'nodejs20.x': '/node/bin/node' }, diagnostic: () => {}, progress: () => {} };
    const launch = (await nodeFamily.launcher(host).launch({ fn, optDir: '/opt-x', debug: false })) as ProcessLaunch;
    const env = environmentVariables({ ...base, optDir: '/opt-x', binDir: launch.binDir, familyEnv: launch.env });
    assert.equal(env.NODE_PATH, ['/opt-x/nodejs/node20/node_modules', '/opt-x/nodejs/node_modules', RUNTIME_SDK, '/code'].join(':'));
    assert.ok(env.PATH.startsWith('/node/bin:'));
    assert.ok(env.PATH.endsWith(':/opt-x/bin'));
    assert.ok(env.LD_LIBRARY_PATH.startsWith('/opt-x/lib'));
    assert.equal(env.LAMBDA_LAB_OPT_DIR, '/opt-x');
  });

  it("lets the function's own value win over a family variable such as NODE_PATH", () => {
    const env = environmentVariables({
      ...base,
      fn: { ...fn, environment: { NODE_PATH: '/mine' } },
      familyEnv: { NODE_PATH: '/family', OTHER: 'x' },
    });
    assert.equal(env.NODE_PATH, '/mine');
    assert.equal(env.OTHER, 'x');
  });
});
