// Lambda's durable execution operations (API version 2025-12-01) over the DurableService:
// the two the durable execution SDK calls from inside a handler (CheckpointDurableExecution,
// GetDurableExecutionState) and those people and tools call (GetDurableExecution, its history,
// ListDurableExecutionsByFunction, StopDurableExecution, the three callback operations).
// Timestamps go out as epoch seconds, as the REST-JSON protocol of the AWS SDKs reads them.
import type { DurableService } from '../durable/durableService';
import type { ErrorObject, ExecutionRecord, ExecutionStatus, HistoryEvent, Operation, OperationUpdate } from '../durable/executionRecord';
import { invalidParameter, resourceNotFound } from '../errors/serviceErrors';
import type { FunctionConfig } from '../functionConfig';
import type { LocalRuntime } from '../localRuntime';
import type { DeploymentStore } from '../versions/deploymentStore';
import type { ApiRequest } from './apiRequest';
import type { Json } from './apiShapes';
import { checkedInteger } from './lambdaPatterns';
import { lookupFunction, type Route } from './managementRoutes';

const EXECUTIONS = ['2025-12-01', 'durable-executions', '{DurableExecutionArn}'];
const CALLBACKS = ['2025-12-01', 'durable-execution-callbacks', '{CallbackId}'];
const LATEST_PUBLISHED = '$LATEST.PUBLISHED';
const STATUSES: ExecutionStatus[] = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'STOPPED'];
/** Callback results are limited as step results are: 256 KB. */
const MAX_CALLBACK_RESULT = 256 * 1024;

/** The operations the SDK inside handler processes calls: all the runtime's own endpoint serves. */
export function durableSdkRoutes(durable: DurableService): Route[] {
  return [
    {
      method: 'POST',
      pattern: [...EXECUTIONS, 'checkpoint'],
      handler: async (r) => {
        const body = await r.json();
        const updates = body.Updates ?? [];
        if (!Array.isArray(updates)) throw invalidParameter('Updates must be a list of OperationUpdate.');
        const { token, operations } = await durable.checkpoint(
          r.params.DurableExecutionArn,
          str(body.CheckpointToken),
          updates as OperationUpdate[],
        );
        r.send(200, { CheckpointToken: token, NewExecutionState: { Operations: operations.map(wireOperation) } });
      },
    },
    {
      method: 'GET',
      pattern: [...EXECUTIONS, 'state'],
      handler: async (r) => {
        const marker = r.query.get('Marker') ? checkedInteger(r.query.get('Marker')!, 'marker', 0, Number.MAX_SAFE_INTEGER) : 0;
        const max = r.query.get('MaxItems') ? checkedInteger(r.query.get('MaxItems')!, 'maxItems', 1, 1000) : 1000;
        const page = durable.state(r.params.DurableExecutionArn, r.query.get('CheckpointToken') ?? undefined, marker, max);
        const out: Json = { Operations: page.operations.map(wireOperation) };
        if (page.nextMarker) out.NextMarker = page.nextMarker;
        r.send(200, out);
      },
    },
  ];
}

export function durableRoutes(runtime: LocalRuntime, deployment: DeploymentStore): Route[] {
  const durable = runtime.durable;
  return [
    ...durableSdkRoutes(durable),
    {
      method: 'GET',
      pattern: EXECUTIONS,
      handler: async (r) => r.send(200, executionShape(await durable.get(r.params.DurableExecutionArn), true)),
    },
    {
      method: 'GET',
      pattern: [...EXECUTIONS, 'history'],
      handler: async (r) => {
        const includeData = r.query.get('IncludeExecutionData') !== 'false';
        let events = (await durable.history(r.params.DurableExecutionArn)).map((e) => wireEvent(e, includeData));
        if (r.query.get('ReverseOrder') === 'true') events = events.reverse();
        r.send(200, paged(r, events, 'Events'));
      },
    },
    {
      method: 'POST',
      pattern: [...EXECUTIONS, 'stop'],
      handler: async (r) => {
        const error = await optionalError(r);
        const stoppedAt = await durable.stop(r.params.DurableExecutionArn, error);
        r.send(200, { StopTimestamp: seconds(stoppedAt) });
      },
    },
    {
      method: 'GET',
      pattern: ['2025-12-01', 'functions', '{FunctionName}', 'durable-executions'],
      handler: async (r) => {
        const raw = r.query.get('Qualifier') ?? undefined;
        // $LATEST.PUBLISHED is not an alias: the generic qualifier check (no dots) does not apply to it.
        const latestPublished = raw === LATEST_PUBLISHED || r.params.FunctionName.endsWith(`:${LATEST_PUBLISHED}`);
        const name = latestPublished ? r.params.FunctionName.replace(`:${LATEST_PUBLISHED}`, '') : r.params.FunctionName;
        const { fn, qualifier } = lookupFunction(runtime, name, latestPublished ? undefined : raw);
        const versions = await executionVersions(runtime, deployment, fn, latestPublished ? LATEST_PUBLISHED : qualifier);
        const statuses = r.query.getAll('Statuses').flatMap((s) => s.split(','));
        for (const s of statuses)
          if (!STATUSES.includes(s as ExecutionStatus)) throw invalidParameter(`Statuses: ${s} is not one of ${STATUSES.join(', ')}.`);
        let list = await durable.list(fn, {
          statuses: statuses as ExecutionStatus[],
          name: r.query.get('DurableExecutionName') ?? undefined,
          versions,
        });
        const after = r.query.get('StartedAfter');
        const before = r.query.get('StartedBefore');
        if (after) list = list.filter((e) => e.StartTimestamp > timestampParam(after));
        if (before) list = list.filter((e) => e.StartTimestamp < timestampParam(before));
        if (r.query.get('ReverseOrder') === 'true') list = list.reverse();
        r.send(
          200,
          paged(
            r,
            list.map((e) => executionShape(e, false)),
            'DurableExecutions',
          ),
        );
      },
    },
    {
      method: 'POST',
      pattern: [...CALLBACKS, 'succeed'],
      handler: async (r) => {
        const result = await r.body(MAX_CALLBACK_RESULT);
        await durable.callback({ callbackId: r.params.CallbackId, outcome: 'succeed', result: result.toString('utf8') });
        r.send(200, {});
      },
    },
    {
      method: 'POST',
      pattern: [...CALLBACKS, 'fail'],
      handler: async (r) => {
        await durable.callback({ callbackId: r.params.CallbackId, outcome: 'fail', error: (await optionalError(r)) ?? {} });
        r.send(200, {});
      },
    },
    {
      method: 'POST',
      pattern: [...CALLBACKS, 'heartbeat'],
      handler: async (r) => {
        await durable.callback({ callbackId: r.params.CallbackId, outcome: 'heartbeat' });
        r.send(200, {});
      },
    },
  ];
}

/**
 * The versions whose executions a ListDurableExecutionsByFunction qualifier covers. Execution
 * ARNs name a version, never an alias: an alias covers the versions it routes to. No qualifier
 * means $LATEST, as Lambda documents it.
 */
async function executionVersions(
  runtime: LocalRuntime,
  deployment: DeploymentStore,
  fn: FunctionConfig,
  qualifier: string | undefined,
): Promise<string[]> {
  if (!qualifier || qualifier === '$LATEST') return ['$LATEST'];
  if (qualifier === LATEST_PUBLISHED) {
    throw resourceNotFound(
      `Function not found: arn:aws:lambda:${runtime.region}:${runtime.accountId}:function:${fn.functionName}:${LATEST_PUBLISHED}. Lambda publishes $LATEST.PUBLISHED only for Lambda Managed Instances functions ` +
        '(publish-version --publish-to LATEST_PUBLISHED); Lambda Lab does not: list a version, an alias or $LATEST.',
    );
  }
  if (/^\d+$/.test(qualifier)) {
    await deployment.resolveQualifier(fn, qualifier);
    return [qualifier];
  }
  const alias = await deployment.versions.alias(fn, qualifier);
  return [alias.functionVersion, ...Object.keys(alias.routingConfig?.AdditionalVersionWeights ?? {})];
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

async function optionalError(r: ApiRequest): Promise<ErrorObject | undefined> {
  const body = await r.json();
  return Object.keys(body).length ? (body as ErrorObject) : undefined;
}

/** The SDKs send timestamps in query strings as ISO-8601 (or epoch seconds). */
function timestampParam(raw: string): number {
  const ms = /^\d+(\.\d+)?$/.test(raw) ? Number(raw) * 1000 : Date.parse(raw);
  if (Number.isNaN(ms)) throw invalidParameter(`${raw} is not a timestamp.`);
  return ms;
}

function paged(r: ApiRequest, items: unknown[], key: string): Json {
  const start = r.query.get('Marker') ? checkedInteger(r.query.get('Marker')!, 'marker', 0, Number.MAX_SAFE_INTEGER) : 0;
  const max = r.query.get('MaxItems') ? checkedInteger(r.query.get('MaxItems')!, 'maxItems', 1, 1000) : 1000;
  const out: Json = { [key]: items.slice(start, start + max) as Json[] };
  if (start + max < items.length) out.NextMarker = String(start + max);
  return out;
}

const seconds = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);

export function executionShape(e: ExecutionRecord, full: boolean): Json {
  const out: Record<string, unknown> = {
    DurableExecutionArn: e.DurableExecutionArn,
    DurableExecutionName: e.DurableExecutionName,
    FunctionArn: e.FunctionArn,
    Status: e.Status,
    StartTimestamp: seconds(e.StartTimestamp),
    EndTimestamp: seconds(e.EndTimestamp),
  };
  if (full) {
    Object.assign(out, {
      InputPayload: e.InputPayload,
      Result: e.Result,
      Error: e.Error,
      Version: e.version,
      DurableConfig: { ExecutionTimeout: e.executionTimeout, RetentionPeriodInDays: e.retentionPeriodInDays },
    });
  }
  return JSON.parse(JSON.stringify(out)) as Json;
}

export function wireOperation(op: Operation): Json {
  const out: Record<string, unknown> = { ...op, StartTimestamp: seconds(op.StartTimestamp), EndTimestamp: seconds(op.EndTimestamp) };
  if (op.StepDetails) out.StepDetails = { ...op.StepDetails, NextAttemptTimestamp: seconds(op.StepDetails.NextAttemptTimestamp) };
  if (op.WaitDetails) out.WaitDetails = { ScheduledEndTimestamp: seconds(op.WaitDetails.ScheduledEndTimestamp) };
  return JSON.parse(JSON.stringify(out)) as Json;
}

/** Event details hold timestamps (ms) under known names; payloads are left out unless IncludeExecutionData. */
function wireEvent(e: HistoryEvent, includeData: boolean): Json {
  const convert = (value: unknown, key: string): unknown => {
    if (typeof value === 'number' && /Timestamp$/.test(key)) return value / 1000;
    if (!includeData && (key === 'Payload' || key === 'Input')) return undefined;
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, convert(v, k)]));
    }
    return value;
  };
  return JSON.parse(JSON.stringify(convert(e, ''))) as Json;
}
