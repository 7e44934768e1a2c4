// The event sources a function declares in its template (SAM `Events`, `FunctionUrlConfig`),
// matched to the sample events they send and filled from the template where it says how:
// the route and its path parameters, the queue, topic, table or stream ARN.
import type { FunctionConfig } from '../runtime/functionConfig';
import { TemplateDocument, type TemplateMap, type TemplateValue } from '../runtime/template/templateDocument';
import { SAMPLE_EVENTS, type SampleEvent } from './sampleEvents';

export interface DeclaredSource {
  /** SAM event name (`GetOrder`), or `FunctionUrlConfig`. */
  name: string;
  /** SAM event type (`HttpApi`, `SQS`, …). */
  type: string;
  sample: SampleEvent;
  /** What the sample event says, filled from the template. */
  create(region: string, accountId: string): unknown;
  /** One line for pickers, e.g. `GET /orders/{orderId}`. */
  detail: string;
}

const SAMPLE_BY_TYPE: Record<string, string> = {
  Api: 'apigateway-rest',
  HttpApi: 'apigateway-http',
  SQS: 'sqs',
  SNS: 'sns',
  S3: 's3-put',
  EventBridgeRule: 'eventbridge',
  CloudWatchEvent: 'eventbridge',
  DynamoDB: 'dynamodb-stream',
  Kinesis: 'kinesis',
  Schedule: 'schedule',
  ScheduleV2: 'schedule',
};

/** The sources `fn` declares, in template order; empty when the template cannot be read. */
export function declaredSources(fn: Pick<FunctionConfig, 'templatePath' | 'logicalId'>): DeclaredSource[] {
  let resources: TemplateMap;
  try {
    resources = asMap(TemplateDocument.fromFile(fn.templatePath).root.Resources) ?? {};
  } catch {
    return [];
  }
  const props = asMap(asMap(resources[fn.logicalId])?.Properties) ?? {};
  const found: DeclaredSource[] = [];
  for (const [name, value] of Object.entries(asMap(props.Events) ?? {})) {
    const event = asMap(value);
    const type = typeof event?.Type === 'string' ? event.Type : '';
    const sample = SAMPLE_EVENTS.find((s) => s.id === SAMPLE_BY_TYPE[type]);
    if (!sample) continue;
    const p = asMap(event?.Properties) ?? {};
    found.push(fill(name, type, sample, p, resources));
  }
  if (props.FunctionUrlConfig !== undefined) {
    const sample = SAMPLE_EVENTS.find((s) => s.id === 'function-url')!;
    found.push({ name: 'FunctionUrlConfig', type: 'FunctionUrl', sample, create: sample.create, detail: 'function URL' });
  }
  return found;
}

/** Samples in the order to offer them: the declared ones first. */
export function samplesFor(
  fn: Pick<FunctionConfig, 'templatePath' | 'logicalId'>,
): Array<{ sample: SampleEvent; declared?: DeclaredSource }> {
  const declared = declaredSources(fn);
  const rest = SAMPLE_EVENTS.filter((s) => !declared.some((d) => d.sample === s)).map((sample) => ({ sample }));
  return [...declared.map((d) => ({ sample: d.sample, declared: d })), ...rest];
}

function fill(name: string, type: string, sample: SampleEvent, p: TemplateMap, resources: TemplateMap): DeclaredSource {
  const base = { name, type, sample };
  if (type === 'Api' || type === 'HttpApi') {
    const method = typeof p.Method === 'string' ? p.Method.toUpperCase() : 'GET';
    const route = typeof p.Path === 'string' ? p.Path : '/';
    const sent = method === 'ANY' ? 'GET' : method;
    const params = Object.fromEntries([...route.matchAll(/\{(\w+)\+?\}/g)].map((m) => [m[1], sampleValue(m[1])]));
    const path = route.replace(/\{(\w+)\+?\}/g, (_, k: string) => params[k]);
    const pathParameters = Object.keys(params).length ? params : null;
    return {
      ...base,
      detail: `${method} ${route}`,
      create: (region, accountId) => {
        const e = sample.create(region, accountId) as Record<string, unknown> & {
          requestContext: Record<string, unknown> & { http?: object };
        };
        if (type === 'HttpApi') {
          Object.assign(e, { routeKey: `${method} ${route}`, rawPath: path, ...(pathParameters ? { pathParameters } : {}) });
          Object.assign(e.requestContext, { routeKey: `${method} ${route}` });
          Object.assign(e.requestContext.http ?? {}, { method: sent, path });
          if (sent === 'GET') delete e.body;
        } else {
          Object.assign(e, { resource: route, path, httpMethod: sent, pathParameters });
          Object.assign(e.requestContext, { resourcePath: route, httpMethod: sent, path: `/Prod${path}` });
        }
        return e;
      },
    };
  }
  const arn = sourceArn(type, p, resources);
  return {
    ...base,
    detail: arn ? arn.replace(/^arn:[^:]+:[^:]+:[^:]*:[^:]*:/, '') : type,
    create: (region, accountId) => {
      const e = sample.create(region, accountId) as { Records?: Array<Record<string, unknown>> };
      const filled = arn?.replace('${region}', region).replace('${accountId}', accountId);
      for (const r of e.Records ?? []) {
        if (!filled) break;
        if ('eventSourceARN' in r) r.eventSourceARN = filled;
        if (type === 'SNS' && r.Sns) (r.Sns as Record<string, unknown>).TopicArn = filled;
      }
      return e;
    },
  };
}

/** The ARN a queue/topic/stream property names: a literal ARN, or a resource of the template (`!GetAtt Q.Arn`, `!Ref Topic`). */
function sourceArn(type: string, p: TemplateMap, resources: TemplateMap): string | undefined {
  const ref = p.Queue ?? p.Topic ?? p.Stream;
  if (typeof ref === 'string') return ref.startsWith('arn:') ? ref : undefined;
  const target = refTarget(ref);
  if (!target) return undefined;
  const resource = asMap(resources[target]);
  const props = asMap(resource?.Properties) ?? {};
  const named = (key: string) => (typeof props[key] === 'string' ? (props[key] as string) : target);
  const prefix = 'arn:aws:%s:${region}:${accountId}:';
  switch (type) {
    case 'SQS':
      return prefix.replace('%s', 'sqs') + named('QueueName');
    case 'SNS':
      return prefix.replace('%s', 'sns') + named('TopicName');
    case 'Kinesis':
      return `${prefix.replace('%s', 'kinesis')}stream/${named('Name')}`;
    case 'DynamoDB':
      return `${prefix.replace('%s', 'dynamodb')}table/${named('TableName')}/stream/2024-01-01T00:00:00.000`;
    default:
      return undefined;
  }
}

function refTarget(value: TemplateValue | undefined): string | undefined {
  const m = asMap(value);
  if (!m) return undefined;
  const getAtt = m['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  if (typeof getAtt === 'string') return getAtt.split('.')[0];
  return typeof m.Ref === 'string' ? m.Ref : undefined;
}

/** A plausible value for a path parameter, from its name. */
function sampleValue(name: string): string {
  return /id$/i.test(name) ? '1001' : name.toLowerCase();
}

function asMap(value: TemplateValue | undefined): TemplateMap | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as TemplateMap) : undefined;
}
