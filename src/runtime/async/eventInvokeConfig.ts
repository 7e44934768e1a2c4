// A function's asynchronous invocation configuration, in the shapes of Lambda's
// PutFunctionEventInvokeConfig (what the template's EventInvokeConfig becomes), with
// Lambda's limits and defaults, and the destination kinds a record can go to.
import { invalidParameter, validationError } from '../errors/serviceErrors';

export interface OnDestination {
  Destination?: string;
}

export interface DestinationConfig {
  OnSuccess?: OnDestination;
  OnFailure?: OnDestination;
}

export interface EventInvokeConfig {
  MaximumRetryAttempts?: number;
  MaximumEventAgeInSeconds?: number;
  DestinationConfig?: DestinationConfig;
}

/** What a template declares for asynchronous invocation. */
export interface AsyncTemplateSettings {
  /** SAM EventInvokeConfig and AWS::Lambda::EventInvokeConfig, per function and qualifier. */
  eventInvokeConfigs: Array<{ functionName: string; qualifier: string; config: EventInvokeConfig }>;
  /** DeadLetterQueue (SAM) / DeadLetterConfig.TargetArn, per function name. */
  deadLetterTargets: Record<string, string>;
}

export const DEFAULT_MAXIMUM_RETRY_ATTEMPTS = 2;
export const DEFAULT_MAXIMUM_EVENT_AGE_S = 21_600;
export const MIN_EVENT_AGE_S = 60;

export type DestinationKind = 'lambda' | 'sqs' | 'sns' | 'events' | 's3';

/** The service an ARN names, for the services Lambda accepts as destinations. */
export function destinationKind(arn: string): DestinationKind | undefined {
  const service = /^arn:aws[\w-]*:(lambda|sqs|sns|events|s3):/.exec(arn)?.[1];
  if (service === 'lambda') return /:function:[^:]+(:[^:]+)?$/.test(arn) ? 'lambda' : undefined;
  if (service === 'events') return /:event-bus\/.+$/.test(arn) ? 'events' : undefined;
  return service as DestinationKind | undefined;
}

/** The resource part of a destination ARN: queue, topic, bus, bucket or function name. */
export function destinationName(arn: string): string {
  const kind = destinationKind(arn);
  if (kind === 'lambda') return /:function:([^:]+)/.exec(arn)![1];
  if (kind === 'events') return arn.slice(arn.indexOf(':event-bus/') + ':event-bus/'.length);
  return arn.split(':').slice(5).join(':');
}

function wholeNumberIn(body: Record<string, unknown>, field: string, min: number, max: number): number | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value))
    throw invalidParameter(`${field} must be a whole number from ${min} to ${max}.`);
  const camel = field[0].toLowerCase() + field.slice(1);
  if (value < min) throw validationError(String(value), camel, `Member must have value greater than or equal to ${min}`);
  if (value > max) throw validationError(String(value), camel, `Member must have value less than or equal to ${max}`);
  return value;
}

function destination(value: unknown, which: 'OnSuccess' | 'OnFailure'): OnDestination | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value))
    throw invalidParameter(`DestinationConfig.${which} must be {"Destination": "<ARN>"}.`);
  const arn = (value as Record<string, unknown>).Destination;
  if (arn === undefined || arn === null || arn === '') return {};
  if (typeof arn !== 'string') throw invalidParameter(`DestinationConfig.${which}.Destination must be an ARN string.`);
  const kind = destinationKind(arn);
  if (!kind) {
    throw invalidParameter(
      `The destination ARN ${arn} is invalid: DestinationConfig.${which}.Destination must be the ARN of a Lambda function, ` +
        'SQS queue, SNS topic, EventBridge event bus or (OnFailure only) S3 bucket.',
    );
  }
  if (kind === 's3' && which === 'OnSuccess')
    throw invalidParameter(`The destination ARN ${arn} is invalid: S3 buckets are OnFailure destinations only.`);
  return { Destination: arn };
}

/** Validates a Put/Update body (or a template's EventInvokeConfig) as Lambda does; throws LambdaServiceError. */
export function parseEventInvokeConfig(body: Record<string, unknown>): EventInvokeConfig {
  const out: EventInvokeConfig = {};
  const retries = wholeNumberIn(body, 'MaximumRetryAttempts', 0, 2);
  if (retries !== undefined) out.MaximumRetryAttempts = retries;
  const age = wholeNumberIn(body, 'MaximumEventAgeInSeconds', MIN_EVENT_AGE_S, DEFAULT_MAXIMUM_EVENT_AGE_S);
  if (age !== undefined) out.MaximumEventAgeInSeconds = age;
  const raw = body.DestinationConfig;
  if (raw !== undefined && raw !== null) {
    if (typeof raw !== 'object' || Array.isArray(raw))
      throw invalidParameter('DestinationConfig must be {"OnSuccess": {...}, "OnFailure": {...}}.');
    const map = raw as Record<string, unknown>;
    const config: DestinationConfig = {};
    const onSuccess = destination(map.OnSuccess, 'OnSuccess');
    const onFailure = destination(map.OnFailure, 'OnFailure');
    if (onSuccess) config.OnSuccess = onSuccess;
    if (onFailure) config.OnFailure = onFailure;
    out.DestinationConfig = config;
  }
  return out;
}
