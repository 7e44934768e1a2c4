// Versions and aliases through the Lambda API: immutable published versions, weighted alias
// routing, persistence across restarts, SAM AutoPublishAlias.
import {
  CreateAliasCommand,
  GetAliasCommand,
  GetFunctionCommand,
  InvokeCommand,
  ListAliasesCommand,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  UpdateAliasCommand,
  type LambdaClient,
  type LambdaServiceException,
} from '@aws-sdk/client-lambda';
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyFixture, json, startHarness, type Harness } from '../fixtures/api/apiHarness';

const ECHO_CODE = 'src/echo/app.js';

function editMarker(dir: string, marker: string): void {
  const file = join(dir, ECHO_CODE);
  writeFileSync(file, readFileSync(file, 'utf8').replace(/const MARKER = '[^']*';/, `const MARKER = '${marker}';`));
}

async function invokeEcho(client: LambdaClient, qualifier?: string) {
  const out = await client.send(new InvokeCommand({ FunctionName: 'echo', Qualifier: qualifier, Payload: Buffer.from('{}') }));
  const body = json(out.Payload);
  return { executed: out.ExecutedVersion, marker: body.marker as string, version: body.version as string };
}

/** $LATEST environments recycle on their own after an edit; wait (bounded) until the new code answers. */
async function untilLatestShows(client: LambdaClient, marker: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if ((await invokeEcho(client)).marker === marker) return;
    await new Promise((ok) => setTimeout(ok, 100));
  }
  assert.fail(`$LATEST never ran the edited code (${marker})`);
}

describe('versions and aliases (integration)', function () {
  this.timeout(120_000);
  let h: Harness;
  let dir: string;

  before(async () => {
    dir = copyFixture('basic');
    h = await startHarness(dir);
  });
  after(() => h?.stop(true));

  it('keeps a published version immutable when $LATEST is edited', async () => {
    const v1 = await h.client.send(new PublishVersionCommand({ FunctionName: 'echo', Description: 'first' }));
    assert.equal(v1.Version, '1');
    assert.equal(v1.Description, 'first');
    assert.equal(v1.FunctionArn, 'arn:aws:lambda:us-east-1:123456789012:function:echo:1');
    assert.ok(v1.RevisionId);

    // CodeSha256 is the hash of the deployment package that GetFunction's Code.Location serves.
    const got = await h.client.send(new GetFunctionCommand({ FunctionName: 'echo', Qualifier: '1' }));
    const zip = Buffer.from(await (await fetch(got.Code!.Location!)).arrayBuffer());
    assert.equal(createHash('sha256').update(zip).digest('base64'), v1.CodeSha256);

    editMarker(dir, 'edited');
    await untilLatestShows(h.client, 'edited');
    assert.deepEqual(await invokeEcho(h.client, '1'), { executed: '1', marker: 'original', version: '1' });

    const v2 = await h.client.send(new PublishVersionCommand({ FunctionName: 'echo' }));
    assert.equal(v2.Version, '2');
    assert.notEqual(v2.CodeSha256, v1.CodeSha256);
    // Nothing changed since version 2: Lambda hands back version 2 rather than publishing 3.
    const again = await h.client.send(new PublishVersionCommand({ FunctionName: 'echo' }));
    assert.equal(again.Version, '2');
    assert.deepEqual(await invokeEcho(h.client, '2'), { executed: '2', marker: 'edited', version: '2' });
    assert.equal((await invokeEcho(h.client, '1')).marker, 'original');

    const versions = await h.client.send(new ListVersionsByFunctionCommand({ FunctionName: 'echo' }));
    assert.deepEqual(
      versions.Versions?.map((v) => v.Version),
      ['$LATEST', '1', '2'],
    );
  });

  it('routes an alias with AdditionalVersionWeights within statistical bounds over 1,000 invokes', async () => {
    await h.client.send(
      new CreateAliasCommand({
        FunctionName: 'echo',
        Name: 'live',
        FunctionVersion: '1',
        RoutingConfig: { AdditionalVersionWeights: { '2': 0.3 } },
      }),
    );
    const counts: Record<string, number> = {};
    let next = 0;
    const caller = async () => {
      while (next < 1000) {
        next++;
        const r = await invokeEcho(h.client, 'live');
        assert.equal(r.version, r.executed, 'X-Amz-Executed-Version names the version that ran');
        assert.equal(r.marker, r.executed === '1' ? 'original' : 'edited');
        counts[r.executed!] = (counts[r.executed!] ?? 0) + 1;
      }
    };
    await Promise.all([caller(), caller(), caller(), caller()]);
    assert.equal(counts['1'] + counts['2'], 1000);
    // Binomial(1000, 0.3): mean 300, sd 14.5; ±5 sd fails by chance about once in 2 million runs.
    assert.ok(Math.abs(counts['2'] - 300) <= 73, `version 2 ran ${counts['2']} times out of 1000 (expected about 300)`);
  });

  it('checks RevisionId on UpdateAlias and rejects weights on $LATEST', async () => {
    const alias = await h.client.send(new GetAliasCommand({ FunctionName: 'echo', Name: 'live' }));
    const stale = await h.client
      .send(new UpdateAliasCommand({ FunctionName: 'echo', Name: 'live', FunctionVersion: '2', RevisionId: 'not-the-revision' }))
      .catch((e: LambdaServiceException) => e);
    assert.equal((stale as LambdaServiceException).name, 'PreconditionFailedException');
    const updated = await h.client.send(
      new UpdateAliasCommand({
        FunctionName: 'echo',
        Name: 'live',
        FunctionVersion: '2',
        RevisionId: alias.RevisionId,
        RoutingConfig: { AdditionalVersionWeights: {} },
      }),
    );
    assert.equal(updated.FunctionVersion, '2');
    assert.equal(updated.RoutingConfig, undefined);
    assert.deepEqual(await invokeEcho(h.client, 'live'), { executed: '2', marker: 'edited', version: '2' });

    const bad = await h.client
      .send(
        new CreateAliasCommand({
          FunctionName: 'echo',
          Name: 'bad',
          FunctionVersion: '$LATEST',
          RoutingConfig: { AdditionalVersionWeights: { '1': 0.5 } },
        }),
      )
      .catch((e: LambdaServiceException) => e);
    assert.equal((bad as LambdaServiceException).name, 'InvalidParameterValueException');
  });

  it('persists versions and aliases across a restart', async () => {
    await h.stop();
    h = await startHarness(dir);
    const versions = await h.client.send(new ListVersionsByFunctionCommand({ FunctionName: 'echo' }));
    assert.deepEqual(
      versions.Versions?.map((v) => v.Version),
      ['$LATEST', '1', '2'],
    );
    const aliases = await h.client.send(new ListAliasesCommand({ FunctionName: 'echo' }));
    assert.deepEqual(
      aliases.Aliases?.map((a) => [a.Name, a.FunctionVersion]),
      [['live', '2']],
    );
    assert.equal((await invokeEcho(h.client, '1')).marker, 'original');
    assert.equal((await h.client.send(new PublishVersionCommand({ FunctionName: 'echo' }))).Version, '2');
  });

  it('publishes on load for AutoPublishAlias when the code changed', async () => {
    const auto = await startHarness(copyFixture('autopublish'));
    try {
      const alias = await auto.client.send(new GetAliasCommand({ FunctionName: 'greeter', Name: 'live' }));
      assert.equal(alias.FunctionVersion, '1');
      const file = join(auto.dir, 'src/app.js');
      writeFileSync(file, readFileSync(file, 'utf8').replace("'hello'", "'bonjour'"));
      await auto.runtime.loadTemplate(join(auto.dir, 'template.yaml'));
      await auto.server.deployment.settled();
      assert.equal((await auto.client.send(new GetAliasCommand({ FunctionName: 'greeter', Name: 'live' }))).FunctionVersion, '2');
      // Reloading without a change publishes nothing new.
      await auto.runtime.loadTemplate(join(auto.dir, 'template.yaml'));
      await auto.server.deployment.settled();
      const versions = await auto.client.send(new ListVersionsByFunctionCommand({ FunctionName: 'greeter' }));
      assert.deepEqual(
        versions.Versions?.map((v) => v.Version),
        ['$LATEST', '1', '2'],
      );
      const out = await auto.client.send(new InvokeCommand({ FunctionName: 'greeter', Qualifier: 'live' }));
      assert.deepEqual(json(out.Payload), { greeting: 'bonjour', version: '2' });
    } finally {
      await auto.stop(true);
    }
  });
});
