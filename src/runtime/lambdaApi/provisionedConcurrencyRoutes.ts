// Lambda's provisioned concurrency operations (API version 2019-09-30): Put, Get, List and
// DeleteProvisionedConcurrencyConfig, with Lambda's paths, shapes and errors. Put answers 202
// with IN_PROGRESS while the environments initialise; Get then reports READY (or FAILED).
import { invalidParameter } from '../errors/serviceErrors';
import type { FunctionConfig } from '../functionConfig';
import type { LocalRuntime } from '../localRuntime';
import type { DeploymentStore } from '../versions/deploymentStore';
import type { ProvisionedConfigStatus } from '../versions/provisionedConcurrency';
import type { Json } from './apiShapes';
import type { ApiRequest } from './apiRequest';
import { lookupFunction, type Route } from './managementRoutes';

const PATH = ['2019-09-30', 'functions', '{FunctionName}', 'provisioned-concurrency'];
const MAX_ITEMS = 50;

function shape(s: ProvisionedConfigStatus): Json {
  const out: Json = {
    RequestedProvisionedConcurrentExecutions: s.requested,
    AvailableProvisionedConcurrentExecutions: s.allocated,
    AllocatedProvisionedConcurrentExecutions: s.allocated,
    Status: s.status,
    LastModified: s.lastModified,
  };
  if (s.statusReason) out.StatusReason = s.statusReason;
  return out;
}

export function provisionedConcurrencyRoutes(runtime: LocalRuntime, deployment: DeploymentStore): Route[] {
  const { provisioned, versions } = deployment;
  const target = (r: ApiRequest): { fn: FunctionConfig; qualifier: string } => {
    const { fn, qualifier } = lookupFunction(runtime, r.params.FunctionName, r.query.get('Qualifier') ?? undefined);
    if (!qualifier) throw invalidParameter('Qualifier is required: name the version number or alias whose provisioned concurrency to use.');
    return { fn, qualifier };
  };
  return [
    {
      method: 'PUT',
      pattern: PATH,
      handler: async (r) => {
        const { fn, qualifier } = target(r);
        const requested = (await r.json()).ProvisionedConcurrentExecutions;
        if (typeof requested !== 'number' || !Number.isInteger(requested) || requested < 1) {
          throw invalidParameter('ProvisionedConcurrentExecutions must be a whole number of 1 or more.');
        }
        const { status, ready } = await provisioned.put(fn, qualifier, requested);
        // Failures show as Status FAILED with a StatusReason, as on Lambda.
        void ready.catch(() => undefined);
        r.send(202, shape(status));
      },
    },
    {
      method: 'GET',
      pattern: PATH,
      handler: async (r) => {
        if (r.query.get('List') === 'ALL') {
          const { fn } = lookupFunction(runtime, r.params.FunctionName, undefined);
          const all = (await provisioned.list(fn)).map((s) => ({ FunctionArn: versions.arn(fn, s.qualifier), ...shape(s) }));
          const start = Number(r.query.get('Marker') ?? 0) || 0;
          const max = Math.min(Math.max(Number(r.query.get('MaxItems') ?? MAX_ITEMS) || MAX_ITEMS, 1), MAX_ITEMS);
          const out: Json = { ProvisionedConcurrencyConfigs: all.slice(start, start + max) };
          if (start + max < all.length) out.NextMarker = String(start + max);
          r.send(200, out);
          return;
        }
        const { fn, qualifier } = target(r);
        r.send(200, shape(await provisioned.get(fn, qualifier)));
      },
    },
    {
      method: 'DELETE',
      pattern: PATH,
      handler: async (r) => {
        const { fn, qualifier } = target(r);
        await provisioned.delete(fn, qualifier);
        r.send(204);
      },
    },
  ];
}
