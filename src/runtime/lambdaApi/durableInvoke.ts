// Invoke of a durable function through the Lambda API: it must name a version, an alias or
// $LATEST (durable functions refuse unqualified ARNs); an Event invoke answers 202 as soon as the
// execution started, a RequestResponse invoke once it ended; both say which execution in
// X-Amz-Durable-Execution-Arn. X-Amz-Durable-Execution-Name makes the start idempotent.
import { invalidParameter, invalidRequestContent } from '../errors/serviceErrors';
import type { FunctionConfig } from '../functionConfig';
import type { LocalRuntime } from '../localRuntime';
import type { DeploymentStore } from '../versions/deploymentStore';
import type { ApiRequest } from './apiRequest';

export async function invokeDurable(
  runtime: LocalRuntime,
  deployment: DeploymentStore,
  r: ApiRequest,
  fn: FunctionConfig,
  qualifier: string | undefined,
  type: string,
  body: Buffer,
): Promise<void> {
  if (!qualifier) {
    throw invalidParameter(
      `${fn.functionName} is a durable function: invoke it with a qualified ARN (a version, an alias or $LATEST), e.g. ${fn.functionName}:$LATEST.`,
    );
  }
  const name = r.header('x-amz-durable-execution-name');
  if (name !== undefined && !/^[a-zA-Z0-9_-]{1,64}$/.test(name)) {
    throw invalidParameter('DurableExecutionName must be 1 to 64 letters, digits, hyphens or underscores.');
  }
  if (type === 'DryRun') {
    if (qualifier !== '$LATEST') await deployment.resolveQualifier(fn, qualifier);
    return r.send(204);
  }
  if (type === 'Event') {
    const { version, config } =
      qualifier === '$LATEST' ? { version: '$LATEST', config: fn } : await deployment.resolveQualifier(fn, qualifier);
    const text = body.length ? body.toString('utf8') : '{}';
    try {
      JSON.parse(text);
    } catch (err) {
      throw invalidRequestContent(`Could not parse request body into json: ${(err as Error).message}`);
    }
    const driver = await runtime.durable.start({ fn: config, version, payload: text, name });
    return r.send(202, undefined, { 'X-Amz-Durable-Execution-Arn': driver.record.DurableExecutionArn });
  }
  let arn = '';
  const result = await runtime.invoke(fn.functionName, body, {
    qualifier,
    requestId: r.requestId,
    durableExecutionName: name,
    onDurableExecution: (a) => (arn = a),
  });
  const headers: Record<string, string | number> = {
    'Content-Type': 'application/json',
    'Content-Length': result.payload.length,
    'x-amzn-RequestId': result.requestId,
    'X-Amz-Executed-Version': result.version,
    'X-Amz-Durable-Execution-Arn': arn,
  };
  if (result.functionError) headers['X-Amz-Function-Error'] = result.functionError;
  r.res.writeHead(200, headers);
  r.res.end(result.payload);
}
