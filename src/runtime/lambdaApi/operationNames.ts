// The Lambda API operation names of this server's routes, for the UnknownOperationException
// that lists what it serves. The list is read off the route table, so a new route shows up in it;
// a route missing here shows as its method and path (and the unknown-operation test fails).
import type { Route } from './managementRoutes';

const FN = '{FunctionName}';

const NAMES: Record<string, string> = {
  [`POST /2015-03-31/functions/${FN}/invocations`]: 'Invoke',
  [`POST /2021-11-15/functions/${FN}/response-streaming-invocations`]: 'InvokeWithResponseStream',
  'GET /2016-08-19/account-settings': 'GetAccountSettings',
  'GET /2015-03-31/functions': 'ListFunctions',
  [`GET /2015-03-31/functions/${FN}`]: 'GetFunction',
  [`GET /2015-03-31/functions/${FN}/configuration`]: 'GetFunctionConfiguration',
  [`POST /2015-03-31/functions/${FN}/versions`]: 'PublishVersion',
  [`GET /2015-03-31/functions/${FN}/versions`]: 'ListVersionsByFunction',
  [`POST /2015-03-31/functions/${FN}/aliases`]: 'CreateAlias',
  [`GET /2015-03-31/functions/${FN}/aliases`]: 'ListAliases',
  [`GET /2015-03-31/functions/${FN}/aliases/{Name}`]: 'GetAlias',
  [`PUT /2015-03-31/functions/${FN}/aliases/{Name}`]: 'UpdateAlias',
  [`DELETE /2015-03-31/functions/${FN}/aliases/{Name}`]: 'DeleteAlias',
  [`PUT /2017-10-31/functions/${FN}/concurrency`]: 'PutFunctionConcurrency',
  [`GET /2019-09-30/functions/${FN}/concurrency`]: 'GetFunctionConcurrency',
  [`DELETE /2017-10-31/functions/${FN}/concurrency`]: 'DeleteFunctionConcurrency',
  'GET /2018-10-31/layers': 'ListLayers, GetLayerVersionByArn',
  'GET /2018-10-31/layers/{LayerName}/versions': 'ListLayerVersions',
  'GET /2018-10-31/layers/{LayerName}/versions/{VersionNumber}': 'GetLayerVersion',
  [`PUT /2019-09-25/functions/${FN}/event-invoke-config`]: 'PutFunctionEventInvokeConfig',
  [`POST /2019-09-25/functions/${FN}/event-invoke-config`]: 'UpdateFunctionEventInvokeConfig',
  [`GET /2019-09-25/functions/${FN}/event-invoke-config`]: 'GetFunctionEventInvokeConfig',
  [`DELETE /2019-09-25/functions/${FN}/event-invoke-config`]: 'DeleteFunctionEventInvokeConfig',
  [`GET /2019-09-25/functions/${FN}/event-invoke-config/list`]: 'ListFunctionEventInvokeConfigs',
  [`PUT /2019-09-30/functions/${FN}/provisioned-concurrency`]: 'PutProvisionedConcurrencyConfig',
  [`GET /2019-09-30/functions/${FN}/provisioned-concurrency`]: 'GetProvisionedConcurrencyConfig, ListProvisionedConcurrencyConfigs',
  [`DELETE /2019-09-30/functions/${FN}/provisioned-concurrency`]: 'DeleteProvisionedConcurrencyConfig',
  [`POST /2021-10-31/functions/${FN}/url`]: 'CreateFunctionUrlConfig',
  [`GET /2021-10-31/functions/${FN}/url`]: 'GetFunctionUrlConfig',
  [`PUT /2021-10-31/functions/${FN}/url`]: 'UpdateFunctionUrlConfig',
  [`DELETE /2021-10-31/functions/${FN}/url`]: 'DeleteFunctionUrlConfig',
  [`GET /2021-10-31/functions/${FN}/urls`]: 'ListFunctionUrlConfigs',
  'POST /2025-12-01/durable-executions/{DurableExecutionArn}/checkpoint': 'CheckpointDurableExecution',
  'GET /2025-12-01/durable-executions/{DurableExecutionArn}/state': 'GetDurableExecutionState',
  'GET /2025-12-01/durable-executions/{DurableExecutionArn}': 'GetDurableExecution',
  'GET /2025-12-01/durable-executions/{DurableExecutionArn}/history': 'GetDurableExecutionHistory',
  'POST /2025-12-01/durable-executions/{DurableExecutionArn}/stop': 'StopDurableExecution',
  [`GET /2025-12-01/functions/${FN}/durable-executions`]: 'ListDurableExecutionsByFunction',
  'POST /2025-12-01/durable-execution-callbacks/{CallbackId}/succeed': 'SendDurableExecutionCallbackSuccess',
  'POST /2025-12-01/durable-execution-callbacks/{CallbackId}/fail': 'SendDurableExecutionCallbackFailure',
  'POST /2025-12-01/durable-execution-callbacks/{CallbackId}/heartbeat': 'SendDurableExecutionCallbackHeartbeat',
};

/** Lambda Lab's own paths (Code.Location downloads): not operations. */
const INTERNAL_PREFIX = 'lambda-lab';

/** The operations `routes` serve, by their Lambda API names, in route order. */
export function operationNames(routes: Route[]): string[] {
  const names: string[] = [];
  for (const route of routes) {
    if (route.pattern[0] === INTERNAL_PREFIX) continue;
    const key = `${route.method} /${route.pattern.join('/')}`;
    for (const name of (NAMES[key] ?? key).split(', ')) if (!names.includes(name)) names.push(name);
  }
  return names;
}
