// Provisioned concurrency configurations set through the Lambda API are kept in the state
// folder: a restarted `serve` reports them and initialises their environments again, before
// any invocation; a deleted one stays deleted, and one whose alias is deleted goes with it.
import {
  CreateAliasCommand,
  DeleteAliasCommand,
  DeleteProvisionedConcurrencyConfigCommand,
  GetProvisionedConcurrencyConfigCommand,
  ListProvisionedConcurrencyConfigsCommand,
  PublishVersionCommand,
  PutProvisionedConcurrencyConfigCommand,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import * as assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { copyFixture, startHarness, type Harness } from '../fixtures/api/apiHarness';

/** Polls GetProvisionedConcurrencyConfig (bounded) until the status leaves IN_PROGRESS. */
async function settledStatus(client: LambdaClient, functionName: string, qualifier: string) {
  for (let i = 0; i < 300; i++) {
    const got = await client.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: functionName, Qualifier: qualifier }));
    if (got.Status !== 'IN_PROGRESS') return got;
    await new Promise((ok) => setTimeout(ok, 50));
  }
  assert.fail(`${functionName}:${qualifier} never left IN_PROGRESS`);
}

const qualifiers = async (client: LambdaClient, functionName: string) =>
  ((await client.send(new ListProvisionedConcurrencyConfigsCommand({ FunctionName: functionName }))).ProvisionedConcurrencyConfigs ?? [])
    .map((c) => `${c.FunctionArn!.split(':').pop()}=${c.RequestedProvisionedConcurrentExecutions}`)
    .sort();

describe('provisioned concurrency across restarts (integration)', function () {
  this.timeout(120_000);
  let h: Harness | undefined;
  let dir: string;

  before(() => {
    dir = copyFixture('provisioned');
  });
  afterEach(() => h?.stop());
  // The harness stopped after each test: only the folder is left.
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('provisions a configuration set through the API again after a restart, ahead of any invocation', async () => {
    h = await startHarness(dir);
    const v = await h.client.send(new PublishVersionCommand({ FunctionName: 'plain' }));
    await h.client.send(new CreateAliasCommand({ FunctionName: 'plain', Name: 'blue', FunctionVersion: v.Version }));
    await h.client.send(
      new PutProvisionedConcurrencyConfigCommand({ FunctionName: 'plain', Qualifier: 'blue', ProvisionedConcurrentExecutions: 2 }),
    );
    assert.equal((await settledStatus(h.client, 'plain', 'blue')).Status, 'READY');
    const lastModified = (await h.client.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: 'plain', Qualifier: 'blue' })))
      .LastModified;
    await h.stop();

    h = await startHarness(dir);
    const ready = await settledStatus(h.client, 'plain', 'blue');
    assert.equal(ready.Status, 'READY');
    assert.equal(ready.RequestedProvisionedConcurrentExecutions, 2);
    assert.equal(ready.AllocatedProvisionedConcurrentExecutions, 2);
    assert.equal(ready.LastModified, lastModified);
    const envs = h.runtime.environments('plain');
    assert.deepEqual(
      envs.map((e) => [e.version, e.invocations]),
      [
        [v.Version, 0],
        [v.Version, 0],
      ],
    );
    assert.deepEqual(await qualifiers(h.client, 'plain'), ['blue=2']);
  });

  it('keeps a deleted configuration deleted, and drops one whose alias was deleted', async () => {
    h = await startHarness(dir);
    await h.client.send(new DeleteProvisionedConcurrencyConfigCommand({ FunctionName: 'plain', Qualifier: 'blue' }));
    const v = await h.client.send(new PublishVersionCommand({ FunctionName: 'plain' }));
    await h.client.send(new CreateAliasCommand({ FunctionName: 'plain', Name: 'green', FunctionVersion: v.Version }));
    await h.client.send(
      new PutProvisionedConcurrencyConfigCommand({ FunctionName: 'plain', Qualifier: 'green', ProvisionedConcurrentExecutions: 1 }),
    );
    await settledStatus(h.client, 'plain', 'green');
    await h.client.send(new DeleteAliasCommand({ FunctionName: 'plain', Name: 'green' }));
    await h.stop();

    h = await startHarness(dir);
    assert.deepEqual(await qualifiers(h.client, 'plain'), []);
    assert.deepEqual(h.runtime.environments('plain'), []);
    // The template's own configuration is still there.
    assert.deepEqual(await qualifiers(h.client, 'provisioned'), ['live=1']);
  });
});
