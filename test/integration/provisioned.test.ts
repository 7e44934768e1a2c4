// Provisioned concurrency through the Lambda API and SAM's ProvisionedConcurrencyConfig:
// environments initialised ahead (IN_PROGRESS → READY), AWS_LAMBDA_INITIALIZATION_TYPE, no
// Init Duration on what they serve, spill-over to on-demand environments, Lambda's errors.
import {
  DeleteProvisionedConcurrencyConfigCommand,
  GetProvisionedConcurrencyConfigCommand,
  InvokeCommand,
  ListProvisionedConcurrencyConfigsCommand,
  PublishVersionCommand,
  PutProvisionedConcurrencyConfigCommand,
  type LambdaClient,
  type LambdaServiceException,
} from '@aws-sdk/client-lambda';
import * as assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalRuntime } from '../../src/runtime/localRuntime';
import { copyFixture, json, startHarness, type Harness } from '../fixtures/api/apiHarness';

interface Answer {
  initType: string;
  pid: number;
  version: string;
  report: string;
}

async function invoke(client: LambdaClient, functionName: string, qualifier: string, event: object = {}): Promise<Answer> {
  const out = await client.send(
    new InvokeCommand({ FunctionName: functionName, Qualifier: qualifier, LogType: 'Tail', Payload: Buffer.from(JSON.stringify(event)) }),
  );
  const log = Buffer.from(out.LogResult ?? '', 'base64').toString('utf8');
  const report = log.split('\n').find((l) => l.startsWith('REPORT')) ?? '';
  return { ...(json(out.Payload) as Omit<Answer, 'report'>), report };
}

/** Polls GetProvisionedConcurrencyConfig (bounded) until the status leaves IN_PROGRESS. */
async function settledStatus(client: LambdaClient, functionName: string, qualifier: string) {
  for (let i = 0; i < 300; i++) {
    const got = await client.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: functionName, Qualifier: qualifier }));
    if (got.Status !== 'IN_PROGRESS') return got;
    await new Promise((ok) => setTimeout(ok, 50));
  }
  assert.fail(`${functionName}:${qualifier} never left IN_PROGRESS`);
}

async function rejection(promise: Promise<unknown>): Promise<LambdaServiceException> {
  try {
    await promise;
  } catch (err) {
    return err as LambdaServiceException;
  }
  assert.fail('expected the call to fail');
}

describe('provisioned concurrency (integration)', function () {
  this.timeout(120_000);
  let h: Harness;

  before(async () => {
    h = await startHarness(copyFixture('provisioned'));
  });
  after(() => h?.stop(true));

  it('initialises the template alias ahead, and its environments serve without a cold start', async () => {
    const ready = await settledStatus(h.client, 'provisioned', 'live');
    assert.equal(ready.Status, 'READY');
    assert.equal(ready.RequestedProvisionedConcurrentExecutions, 1);
    assert.equal(ready.AllocatedProvisionedConcurrentExecutions, 1);
    // Initialised before any invocation: the environment is there and idle.
    const envs = h.runtime.environments('provisioned');
    assert.equal(envs.length, 1);
    assert.equal(envs[0].invocations, 0);

    const first = await invoke(h.client, 'provisioned', 'live');
    assert.equal(first.initType, 'provisioned-concurrency');
    assert.equal(first.version, '1');
    assert.equal(first.pid, envs[0].pid);
    assert.match(first.report, /^REPORT RequestId: /);
    assert.doesNotMatch(first.report, /Init Duration/);
  });

  it('spills invocations beyond the provisioned environments to on-demand ones', async () => {
    await settledStatus(h.client, 'provisioned', 'live');
    const both = await Promise.all([0, 1].map(() => invoke(h.client, 'provisioned', 'live', { holdMs: 400 })));
    const provisioned = both.find((a) => a.initType === 'provisioned-concurrency');
    const onDemand = both.find((a) => a.initType === 'on-demand');
    assert.ok(provisioned && onDemand, `expected one of each, got ${both.map((a) => a.initType).join(', ')}`);
    assert.notEqual(provisioned.pid, onDemand.pid);
    assert.doesNotMatch(provisioned.report, /Init Duration/);
    assert.match(onDemand.report, /Init Duration: [\d.]+ ms/);
  });

  it('puts, gets, lists and deletes a configuration on a version with Lambda shapes', async () => {
    const v = await h.client.send(new PublishVersionCommand({ FunctionName: 'plain' }));
    const put = await h.client.send(
      new PutProvisionedConcurrencyConfigCommand({ FunctionName: 'plain', Qualifier: v.Version, ProvisionedConcurrentExecutions: 2 }),
    );
    assert.equal(put.$metadata.httpStatusCode, 202);
    assert.equal(put.Status, 'IN_PROGRESS');
    assert.equal(put.RequestedProvisionedConcurrentExecutions, 2);
    assert.equal(put.AllocatedProvisionedConcurrentExecutions, 0);
    assert.ok(put.LastModified);

    const ready = await settledStatus(h.client, 'plain', v.Version!);
    assert.equal(ready.Status, 'READY');
    assert.equal(ready.AvailableProvisionedConcurrentExecutions, 2);
    assert.equal(h.runtime.environments('plain').filter((e) => e.version === v.Version).length, 2);
    assert.equal((await invoke(h.client, 'plain', v.Version!)).initType, 'provisioned-concurrency');

    const list = await h.client.send(new ListProvisionedConcurrencyConfigsCommand({ FunctionName: 'plain' }));
    assert.deepEqual(
      list.ProvisionedConcurrencyConfigs?.map((c) => [c.FunctionArn, c.Status, c.RequestedProvisionedConcurrentExecutions]),
      [[`arn:aws:lambda:us-east-1:123456789012:function:plain:${v.Version}`, 'READY', 2]],
    );

    await h.client.send(new DeleteProvisionedConcurrencyConfigCommand({ FunctionName: 'plain', Qualifier: v.Version }));
    const gone = await rejection(
      h.client.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: 'plain', Qualifier: v.Version })),
    );
    assert.equal(gone.name, 'ProvisionedConcurrencyConfigNotFoundException');
    assert.equal(gone.$metadata.httpStatusCode, 404);
    // Without the configuration the next invocation of the version is an on-demand cold start.
    await h.runtime.stopEnvironments('plain');
    const after = await invoke(h.client, 'plain', v.Version!);
    assert.equal(after.initType, 'on-demand');
    assert.match(after.report, /Init Duration/);
  });

  it('refuses $LATEST, unknown versions and more than the concurrency limit as Lambda does', async () => {
    const latest = await rejection(
      h.client.send(
        new PutProvisionedConcurrencyConfigCommand({ FunctionName: 'plain', Qualifier: '$LATEST', ProvisionedConcurrentExecutions: 1 }),
      ),
    );
    assert.equal(latest.name, 'InvalidParameterValueException');
    assert.equal(latest.message, 'Provisioned Concurrency Configs cannot be applied to unpublished function versions.');

    const unknown = await rejection(
      h.client.send(
        new PutProvisionedConcurrencyConfigCommand({ FunctionName: 'plain', Qualifier: '99', ProvisionedConcurrentExecutions: 1 }),
      ),
    );
    assert.equal(unknown.name, 'ResourceNotFoundException');

    const tooMany = await rejection(
      h.client.send(
        new PutProvisionedConcurrencyConfigCommand({ FunctionName: 'provisioned', Qualifier: 'live', ProvisionedConcurrentExecutions: 11 }),
      ),
    );
    assert.equal(tooMany.name, 'InvalidParameterValueException');
    assert.match(tooMany.message, /concurrency limit of function provisioned \(10/);

    const missing = await rejection(h.client.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: 'plain', Qualifier: '1' })));
    assert.equal(missing.name, 'ProvisionedConcurrencyConfigNotFoundException');
  });

  it('follows the AutoPublishAlias to the version a template reload publishes', async () => {
    await settledStatus(h.client, 'provisioned', 'live');
    const template = join(h.dir, 'template.yaml');
    writeFileSync(
      template,
      readFileSync(template, 'utf8').replace(
        '      AutoPublishAlias: live\n',
        '      AutoPublishAlias: live\n      Description: republished\n',
      ),
    );
    await h.runtime.loadTemplate(template);
    await h.server.deployment.settled();
    const ready = await settledStatus(h.client, 'provisioned', 'live');
    assert.equal(ready.Status, 'READY');
    const byVersion = (v: string) => h.runtime.environments('provisioned').filter((e) => e.version === v);
    assert.equal(byVersion('2').length, 1, 'the new version is provisioned');
    for (let i = 0; i < 100 && byVersion('1').length; i++) await new Promise((ok) => setTimeout(ok, 25));
    assert.equal(byVersion('1').length, 0, 'the old version still holds provisioned environments');
    const answer = await invoke(h.client, 'provisioned', 'live');
    assert.equal(answer.version, '2');
    assert.equal(answer.initType, 'provisioned-concurrency');
  });

  it('reports FAILED with a reason when the provisioned environments cannot initialise', async () => {
    writeFileSync(join(h.dir, 'src', 'app.js'), "throw new Error('init blew up');\n");
    const v = await h.client.send(new PublishVersionCommand({ FunctionName: 'plain' }));
    await h.client.send(
      new PutProvisionedConcurrencyConfigCommand({ FunctionName: 'plain', Qualifier: v.Version, ProvisionedConcurrentExecutions: 1 }),
    );
    const failed = await settledStatus(h.client, 'plain', v.Version!);
    assert.equal(failed.Status, 'FAILED');
    assert.match(failed.StatusReason ?? '', /failed to initialize/);
  });
});

describe('ProvisionedConcurrencyConfig in a template', () => {
  it('needs an AutoPublishAlias, as SAM does', async () => {
    const dir = copyFixture('provisioned');
    const template = join(dir, 'template.yaml');
    writeFileSync(template, readFileSync(template, 'utf8').replace('      AutoPublishAlias: live\n', ''));
    const runtime = new LocalRuntime({ watchCode: false });
    try {
      await assert.rejects(
        runtime.loadTemplate(template),
        /To set ProvisionedConcurrencyConfig AutoPublishAlias must be defined on the function/,
      );
    } finally {
      await runtime.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
