// Lambda's asynchronous invocation configuration operations (API version 2019-09-25):
// Put, Update, Get, Delete and ListFunctionEventInvokeConfigs, with Lambda's paths,
// shapes, limits and errors.
import { parseEventInvokeConfig, type EventInvokeConfig } from '../async/eventInvokeConfig';
import type { EventInvokeConfigStore, StoredEventInvokeConfig } from '../async/eventInvokeConfigStore';
import type { FunctionConfig } from '../functionConfig';
import { resourceNotFound } from '../errors/serviceErrors';
import type { LocalRuntime } from '../localRuntime';
import type { DeploymentStore } from '../versions/deploymentStore';
import type { Json } from './apiShapes';
import type { ApiRequest } from './apiRequest';
import { lookupFunction, type Route } from './managementRoutes';

const PATH = ['2019-09-25', 'functions', '{FunctionName}', 'event-invoke-config'];

/** FunctionEventInvokeConfig as Lambda answers it: destinations always present, empty when unset. */
function shape(deployment: DeploymentStore, fn: FunctionConfig, qualifier: string, config: StoredEventInvokeConfig): Json {
  const out: Json = { LastModified: config.LastModified, FunctionArn: deployment.versions.arn(fn, qualifier) };
  if (config.MaximumRetryAttempts !== undefined) out.MaximumRetryAttempts = config.MaximumRetryAttempts;
  if (config.MaximumEventAgeInSeconds !== undefined) out.MaximumEventAgeInSeconds = config.MaximumEventAgeInSeconds;
  out.DestinationConfig = {
    OnSuccess: config.DestinationConfig?.OnSuccess?.Destination ? { Destination: config.DestinationConfig.OnSuccess.Destination } : {},
    OnFailure: config.DestinationConfig?.OnFailure?.Destination ? { Destination: config.DestinationConfig.OnFailure.Destination } : {},
  };
  return out;
}

export function eventInvokeConfigRoutes(runtime: LocalRuntime, deployment: DeploymentStore, configs: EventInvokeConfigStore): Route[] {
  /** The function and qualifier a request names; a version or alias must exist. */
  const target = async (r: ApiRequest) => {
    const { fn, qualifier } = lookupFunction(runtime, r.params.FunctionName, r.query.get('Qualifier') ?? undefined);
    const q = qualifier || '$LATEST';
    if (q !== '$LATEST') {
      if (/^\d+$/.test(q)) await deployment.versions.version(fn, q);
      else await deployment.versions.alias(fn, q);
    }
    return { fn, qualifier: q };
  };
  const missing = (fn: FunctionConfig, qualifier: string) =>
    resourceNotFound(`The function ${deployment.versions.arn(fn, qualifier)} doesn't have an EventInvokeConfig`);

  const route = (method: string, extra: string[], handler: (r: ApiRequest) => Promise<void>): Route => ({
    method,
    pattern: [...PATH, ...extra],
    handler,
  });
  return [
    route('PUT', [], async (r) => {
      const { fn, qualifier } = await target(r);
      const stored = await configs.put(fn.functionName, qualifier, parseEventInvokeConfig(await r.json()));
      r.send(200, shape(deployment, fn, qualifier, stored));
    }),
    route('POST', [], async (r) => {
      const { fn, qualifier } = await target(r);
      const update = parseEventInvokeConfig(await r.json());
      const current = await configs.get(fn.functionName, qualifier);
      // Fields the update leaves out keep their values.
      const merged: EventInvokeConfig = {
        MaximumRetryAttempts: update.MaximumRetryAttempts ?? current?.MaximumRetryAttempts,
        MaximumEventAgeInSeconds: update.MaximumEventAgeInSeconds ?? current?.MaximumEventAgeInSeconds,
        DestinationConfig: { ...current?.DestinationConfig, ...update.DestinationConfig },
      };
      const stored = await configs.put(fn.functionName, qualifier, merged);
      r.send(200, shape(deployment, fn, qualifier, stored));
    }),
    route('GET', [], async (r) => {
      const { fn, qualifier } = await target(r);
      const config = await configs.get(fn.functionName, qualifier);
      if (!config) throw missing(fn, qualifier);
      r.send(200, shape(deployment, fn, qualifier, config));
    }),
    route('DELETE', [], async (r) => {
      const { fn, qualifier } = await target(r);
      if (!(await configs.get(fn.functionName, qualifier))) throw missing(fn, qualifier);
      await configs.delete(fn.functionName, qualifier);
      r.send(204);
    }),
    route('GET', ['list'], async (r) => {
      const { fn } = lookupFunction(runtime, r.params.FunctionName, undefined);
      const all = (await configs.list(fn.functionName)).map((c) => shape(deployment, fn, c.qualifier, c.config));
      const start = Number(r.query.get('Marker') ?? 0) || 0;
      const max = Math.min(Math.max(Number(r.query.get('MaxItems') ?? 50) || 50, 1), 50);
      const out: Json = { FunctionEventInvokeConfigs: all.slice(start, start + max) };
      if (start + max < all.length) out.NextMarker = String(start + max);
      r.send(200, out);
    }),
  ];
}
