// The qualifier of ListDurableExecutionsByFunction, through `serve` with the AWS SDK: none means
// $LATEST, a version its executions, an alias the versions it routes to (execution ARNs name a
// version, never an alias), and $LATEST.PUBLISHED — which only Lambda Managed Instances
// functions have — is not found.
import {
  CreateAliasCommand,
  InvokeCommand,
  LambdaClient,
  ListDurableExecutionsByFunctionCommand,
  PublishVersionCommand,
  StopDurableExecutionCommand,
} from '@aws-sdk/client-lambda';
import * as assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { startLambdaApiServer, type LambdaApiServer } from '../../src/runtime/lambdaApi/lambdaApiServer';
import type { LocalRuntime } from '../../src/runtime/localRuntime';
import { durableRuntime, hasNode22, tempState } from '../fixtures/durable/durableHarness';

describe('durable executions listed by qualifier (integration, AWS SDK)', function () {
  this.timeout(120_000);
  let dir: string;
  let runtime: LocalRuntime;
  let server: LambdaApiServer;
  let client: LambdaClient;
  const arns: Record<string, string> = {};

  before(async function () {
    if (!hasNode22()) {
      console.warn('    skipped: no Node 22 in .vscode-test/ric (the durable execution SDK needs Node ≥ 22); run scripts/installRic.sh');
      this.skip();
    }
    dir = tempState();
    runtime = await durableRuntime(dir);
    server = await startLambdaApiServer(runtime, { port: 0 });
    client = new LambdaClient({
      endpoint: server.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
    const published = await client.send(new PublishVersionCommand({ FunctionName: 'Approval' }));
    assert.equal(published.Version, '1');
    await client.send(new CreateAliasCommand({ FunctionName: 'Approval', Name: 'live', FunctionVersion: '1' }));
    const start = async (qualifier: string, name: string) => {
      const out = await client.send(
        new InvokeCommand({
          FunctionName: 'Approval',
          Qualifier: qualifier,
          InvocationType: 'Event',
          DurableExecutionName: name,
          Payload: Buffer.from(JSON.stringify({ dir, orderId: name })),
        }),
      );
      arns[name] = out.DurableExecutionArn!;
    };
    await start('$LATEST', 'on-latest');
    await start('live', 'through-alias');
    await start('1', 'on-version-one');
  });
  after(async () => {
    for (const arn of Object.values(arns))
      await client?.send(new StopDurableExecutionCommand({ DurableExecutionArn: arn })).catch(() => undefined);
    client?.destroy();
    await server?.close();
    await runtime?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const names = async (input: { Qualifier?: string; FunctionName?: string; DurableExecutionName?: string }) => {
    const out = await client.send(new ListDurableExecutionsByFunctionCommand({ FunctionName: 'Approval', ...input }));
    return out.DurableExecutions!.map((e) => e.DurableExecutionName).sort();
  };

  it('execution ARNs name the version an alias routed to, never the alias', () => {
    assert.match(arns['through-alias'], /:function:Approval:1\/durable-execution\/through-alias\//);
    assert.match(arns['on-latest'], /:function:Approval:\$LATEST\/durable-execution\/on-latest\//);
  });

  it('no qualifier lists the executions of $LATEST only', async () => {
    assert.deepEqual(await names({}), ['on-latest']);
    assert.deepEqual(await names({ Qualifier: '$LATEST' }), ['on-latest']);
  });

  it('a version lists its executions, whichever way they were started', async () => {
    assert.deepEqual(await names({ Qualifier: '1' }), ['on-version-one', 'through-alias']);
    assert.deepEqual(await names({ FunctionName: 'Approval:1' }), ['on-version-one', 'through-alias']);
  });

  it('an alias lists the executions of the versions it routes to', async () => {
    assert.deepEqual(await names({ Qualifier: 'live' }), ['on-version-one', 'through-alias']);
    await assert.rejects(client.send(new ListDurableExecutionsByFunctionCommand({ FunctionName: 'Approval', Qualifier: 'nope' })), {
      name: 'ResourceNotFoundException',
    });
  });

  it('DurableExecutionName filters by what the name contains', async () => {
    assert.deepEqual(await names({ Qualifier: 'live', DurableExecutionName: 'alias' }), ['through-alias']);
  });

  it('$LATEST.PUBLISHED (Lambda Managed Instances only) is not found, with what to list instead', async () => {
    await assert.rejects(
      client.send(new ListDurableExecutionsByFunctionCommand({ FunctionName: 'Approval', Qualifier: '$LATEST.PUBLISHED' })),
      (err: Error) => {
        assert.equal(err.name, 'ResourceNotFoundException');
        assert.match(err.message, /Approval:\$LATEST\.PUBLISHED.*Lambda Managed Instances.*a version, an alias or \$LATEST/);
        return true;
      },
    );
  });
});
