// What a template says about asynchronous invocation: SAM's EventInvokeConfig and
// DeadLetterQueue on AWS::Serverless::Function (as SAM's translator maps them: the config
// goes on the AutoPublishAlias, else on $LATEST; an SQS/SNS Type without Destination makes a
// queue/topic named <Function>EventInvokeConfig<OnSuccess|OnFailure>Queue|Topic),
// AWS::Lambda::EventInvokeConfig resources and DeadLetterConfig on AWS::Lambda::Function.
// Destinations that are template resources (queue, topic, bus, bucket) get the ARN they
// would have, since the intrinsic resolver only knows functions and layers.
import { parseEventInvokeConfig, type AsyncTemplateSettings, type EventInvokeConfig } from '../async/eventInvokeConfig';
import type { FunctionConfig } from '../functionConfig';
import { LambdaServiceError } from '../errors/serviceErrors';
import { parseFunctionName } from '../store/arns';
import { isPlainMap, mergeGlobals } from './globals';
import { NO_VALUE } from './intrinsics';
import type { LoadContext } from './loadContext';
import { ResourceProperties } from './resourceProperties';
import type { TemplateMap, TemplateValue } from './templateDocument';

export const LAMBDA_EVENT_INVOKE_CONFIG = 'AWS::Lambda::EventInvokeConfig';

const SAM_DESTINATION_TYPES = ['SQS', 'SNS', 'EventBridge', 'Lambda', 'S3Bucket'];

interface ArnScope {
  region: string;
  accountId: string;
}

export function readAsyncInvokeSettings(
  ctx: LoadContext,
  resources: TemplateMap,
  functions: FunctionConfig[],
  scope: ArnScope,
): AsyncTemplateSettings {
  const settings: AsyncTemplateSettings = { eventInvokeConfigs: [], deadLetterTargets: {} };
  const byId = new Map(functions.map((f) => [f.logicalId, f]));
  const byName = new Map(functions.map((f) => [f.functionName, f]));
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (!isPlainMap(resource) || !isPlainMap(resource.Properties ?? {})) continue;
    const own = (resource.Properties ?? {}) as TemplateMap;
    const fn = byId.get(logicalId);
    if (fn && resource.Type === 'AWS::Serverless::Function') {
      const props = new ResourceProperties(ctx, logicalId, mergeGlobals(ctx.doc, ctx.functionGlobals, own));
      const raw = props.raw.EventInvokeConfig;
      if (raw !== undefined) {
        settings.eventInvokeConfigs.push({
          functionName: fn.functionName,
          qualifier: fn.autoPublishAlias ?? '$LATEST',
          config: readConfig(ctx, props, ['EventInvokeConfig'], raw, resources, scope, true),
        });
      }
      const dlq = rawMap(props, 'DeadLetterQueue');
      if (dlq) settings.deadLetterTargets[fn.functionName] = readDeadLetter(ctx, props, ['DeadLetterQueue'], dlq, resources, scope, true);
    } else if (fn && resource.Type === 'AWS::Lambda::Function') {
      const props = new ResourceProperties(ctx, logicalId, own);
      const dlc = rawMap(props, 'DeadLetterConfig');
      if (dlc) settings.deadLetterTargets[fn.functionName] = readDeadLetter(ctx, props, ['DeadLetterConfig'], dlc, resources, scope, false);
    } else if (resource.Type === LAMBDA_EVENT_INVOKE_CONFIG) {
      if (typeof resource.Condition === 'string' && !ctx.resolver.condition(resource.Condition, logicalId, resource, 'Condition')) continue;
      const props = new ResourceProperties(ctx, logicalId, own);
      const name = props.string('FunctionName');
      if (!name)
        throw props.error('FunctionName', 'FunctionName is required: the function (e.g. !Ref MyFunction) this configuration applies to');
      const target = byName.get(parseFunctionName(name).name) ?? byId.get(name);
      if (!target) {
        ctx.warn(
          own,
          'FunctionName',
          logicalId,
          `FunctionName ${name} is not a function of this template that runs here; the configuration is ignored`,
        );
        continue;
      }
      const qualifier = props.string('Qualifier');
      if (!qualifier) throw props.error('Qualifier', 'Qualifier is required: $LATEST, a version number or an alias name');
      settings.eventInvokeConfigs.push({
        functionName: target.functionName,
        qualifier,
        config: readConfig(ctx, props, [], own, resources, scope, false),
      });
    }
  }
  return settings;
}

/** A map property as written: its values are resolved one by one, destinations by destinationArn. */
function rawMap(props: ResourceProperties, name: string): TemplateMap | undefined {
  const value = props.raw[name];
  if (value === undefined || value === null) return undefined;
  if (!isPlainMap(value)) throw props.error(name, `${name} must be a map`);
  return value;
}

function readConfig(
  ctx: LoadContext,
  props: ResourceProperties,
  path: string[],
  raw: TemplateValue,
  resources: TemplateMap,
  scope: ArnScope,
  sam: boolean,
): EventInvokeConfig {
  const where = path.length ? path.join('.') : 'the resource';
  if (!isPlainMap(raw))
    throw props.nestedError(path, `${where} must be a map with MaximumRetryAttempts, MaximumEventAgeInSeconds, DestinationConfig`);
  const body: Record<string, unknown> = {};
  for (const field of ['MaximumRetryAttempts', 'MaximumEventAgeInSeconds']) {
    if (!(field in raw)) continue;
    const value = ctx.resolver.resolve(raw[field], props.logicalId);
    if (value === NO_VALUE || value === null) continue;
    body[field] = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  }
  const destinations = raw.DestinationConfig;
  if (destinations !== undefined) {
    if (!isPlainMap(destinations))
      throw props.nestedError([...path, 'DestinationConfig'], 'DestinationConfig must be a map with OnSuccess and/or OnFailure');
    const config: Record<string, unknown> = {};
    for (const which of ['OnSuccess', 'OnFailure'] as const) {
      const entry = destinations[which];
      if (entry === undefined) continue;
      const at = [...path, 'DestinationConfig', which];
      if (!isPlainMap(entry)) throw props.nestedError(at, `DestinationConfig.${which} must be a map with Type and Destination`);
      config[which] = {
        Destination: sam
          ? samDestination(ctx, props, at, entry, resources, scope, which)
          : destinationArn(ctx, props, entry.Destination, resources, scope),
      };
    }
    body.DestinationConfig = config;
  }
  try {
    return parseEventInvokeConfig(body);
  } catch (err) {
    if (!(err instanceof LambdaServiceError)) throw err;
    // Point at the field Lambda would refuse.
    const field = Object.keys(body).find((f) => {
      try {
        parseEventInvokeConfig({ [f]: body[f] });
        return false;
      } catch {
        return true;
      }
    });
    throw props.nestedError(field ? [...path, field] : path, `${field ? [...path, field].join('.') : where}: ${err.message}`);
  }
}

/** SAM's `{Type, Destination}`; SQS and SNS without Destination are the queue/topic SAM creates. */
function samDestination(
  ctx: LoadContext,
  props: ResourceProperties,
  at: string[],
  entry: TemplateMap,
  resources: TemplateMap,
  scope: ArnScope,
  which: string,
): string | undefined {
  const type = ctx.resolver.resolve(entry.Type ?? null, props.logicalId);
  if (typeof type !== 'string' || !SAM_DESTINATION_TYPES.includes(type)) {
    throw props.nestedError([...at, 'Type'], `Type must be one of ${SAM_DESTINATION_TYPES.join(', ')}`);
  }
  const arn = destinationArn(ctx, props, entry.Destination, resources, scope);
  if (arn) return arn;
  const created = `${props.logicalId}EventInvokeConfig${which}`;
  if (type === 'SQS') return `arn:aws:sqs:${scope.region}:${scope.accountId}:${created}Queue`;
  if (type === 'SNS') return `arn:aws:sns:${scope.region}:${scope.accountId}:${created}Topic`;
  throw props.nestedError(at, `Destination is required when Type is ${type} (SAM only creates SQS queues and SNS topics)`);
}

function readDeadLetter(
  ctx: LoadContext,
  props: ResourceProperties,
  path: string[],
  raw: TemplateMap,
  resources: TemplateMap,
  scope: ArnScope,
  sam: boolean,
): string {
  if (sam) {
    const type = ctx.resolver.resolve(raw.Type ?? null, props.logicalId);
    if (type !== 'SQS' && type !== 'SNS') throw props.nestedError([...path, 'Type'], 'DeadLetterQueue.Type must be SQS or SNS');
  }
  const arn = destinationArn(ctx, props, raw.TargetArn, resources, scope);
  if (!arn || !/^arn:aws[\w-]*:(sqs|sns):/.test(arn)) {
    throw props.nestedError([...path, 'TargetArn'], `${path[0]}.TargetArn must be the ARN of an SQS queue or SNS topic`);
  }
  return arn;
}

/** A destination value as written: an ARN, or Ref / GetAtt Arn of a template resource. */
function destinationArn(
  ctx: LoadContext,
  props: ResourceProperties,
  value: TemplateValue | undefined,
  resources: TemplateMap,
  scope: ArnScope,
): string | undefined {
  if (value === undefined || value === null) return undefined;
  const target = referencedResource(value);
  if (target) {
    const resource = resources[target];
    const arn = isPlainMap(resource) ? serviceArn(ctx, props, target, resource, scope) : undefined;
    if (arn) return arn;
  }
  const resolved = ctx.resolver.resolve(value, props.logicalId);
  if (resolved === NO_VALUE || resolved === null || resolved === '') return undefined;
  return typeof resolved === 'string' ? resolved : undefined;
}

function referencedResource(value: TemplateValue): string | undefined {
  if (!isPlainMap(value) || Object.keys(value).length !== 1) return undefined;
  if (typeof value.Ref === 'string') return value.Ref;
  const getAtt = value['Fn::GetAtt'];
  const parts = typeof getAtt === 'string' ? getAtt.split('.') : Array.isArray(getAtt) ? getAtt : [];
  return parts.length === 2 && parts[1] === 'Arn' && typeof parts[0] === 'string' ? parts[0] : undefined;
}

function serviceArn(
  ctx: LoadContext,
  props: ResourceProperties,
  logicalId: string,
  resource: TemplateMap,
  scope: ArnScope,
): string | undefined {
  const own = isPlainMap(resource.Properties) ? resource.Properties : {};
  const named = (field: string, fallback: string) => {
    const value = own[field] === undefined ? fallback : ctx.resolver.resolve(own[field], props.logicalId);
    return typeof value === 'string' && value ? value : fallback;
  };
  const at = `${scope.region}:${scope.accountId}`;
  switch (resource.Type) {
    case 'AWS::SQS::Queue':
      return `arn:aws:sqs:${at}:${named('QueueName', logicalId)}`;
    case 'AWS::SNS::Topic':
      return `arn:aws:sns:${at}:${named('TopicName', logicalId)}`;
    case 'AWS::Events::EventBus':
      return `arn:aws:events:${at}:event-bus/${named('Name', logicalId)}`;
    case 'AWS::S3::Bucket':
      return `arn:aws:s3:::${named('BucketName', logicalId.toLowerCase())}`;
    default:
      return undefined;
  }
}
