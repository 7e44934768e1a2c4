// Where records for destinations that have no local service (SQS, SNS, EventBridge, S3, a
// function outside the loaded templates) and dead-letter messages are kept: one JSON file
// each under `<state dir>/async/`, named so they sort by time, holding what the service
// would have received.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { writeFileAtomic } from '../store/atomicFile';
import { destinationKind, destinationName } from './eventInvokeConfig';
import type { InvocationRecord } from './invocationRecord';

export const ASYNC_DIR = 'async';

/** `2026-11-30T17-08-04.123Z`: an ISO time usable in file names everywhere. */
const fileTime = (date: Date) => date.toISOString().replace(/:/g, '-');

const safe = (name: string) => name.replace(/[^\w.-]+/g, '_');

/**
 * Writes a destination record; returns the file. SQS, SNS and Lambda files hold the record
 * (the message body); EventBridge files the event Lambda puts on the bus; S3 files sit at
 * the object key Lambda uses, under the bucket's folder.
 */
export async function writeDestinationRecord(
  stateDir: string,
  arn: string,
  record: InvocationRecord,
  opts: { region: string; accountId: string },
): Promise<string> {
  const kind = destinationKind(arn) ?? 'unknown';
  const name = destinationName(arn);
  const now = new Date(record.timestamp);
  const base = join(stateDir, ASYNC_DIR, 'destinations', kind, safe(name));
  let file: string;
  let content: unknown = record;
  if (kind === 's3') {
    const functionName = /:function:([^:]+)/.exec(record.requestContext.functionArn)?.[1] ?? 'function';
    const [day, time] = now.toISOString().split('T');
    const key = [
      'aws',
      'lambda',
      'async',
      functionName,
      ...day.split('-'),
      `${day}T${time.slice(0, 8).replace(/:/g, '.')}-${randomUUID()}`,
    ];
    file = join(base, ...key.map(safe));
  } else {
    file = join(base, `${fileTime(now)}-${record.requestContext.requestId}.json`);
    if (kind === 'events') {
      const success = record.requestContext.condition === 'Success';
      content = {
        version: '0',
        id: randomUUID(),
        'detail-type': `Lambda Function Invocation Result - ${success ? 'Success' : 'Failure'}`,
        source: 'lambda',
        account: opts.accountId,
        time: record.timestamp.replace(/\.\d+Z$/, 'Z'),
        region: opts.region,
        resources: [arn, record.requestContext.functionArn],
        detail: record,
      };
    }
  }
  await writeFileAtomic(file, JSON.stringify(content, null, 2) + '\n');
  return file;
}

/** The folder holding the messages of the dead-letter queue or topic `arn`. */
export function deadLetterFolder(stateDir: string, arn: string): string {
  return join(stateDir, ASYNC_DIR, 'dead-letter', destinationKind(arn) === 'sns' ? 'sns' : 'sqs', safe(destinationName(arn)));
}

/**
 * Writes what a dead-letter queue or topic receives: the event itself, with the RequestID,
 * ErrorCode and ErrorMessage attributes, as an SQS message or an SNS notification.
 */
export async function writeDeadLetter(
  stateDir: string,
  arn: string,
  message: { requestId: string; payload: Buffer; errorMessage: string },
): Promise<string> {
  const kind = destinationKind(arn) === 'sns' ? 'sns' : 'sqs';
  const file = join(deadLetterFolder(stateDir, arn), `${fileTime(new Date())}-${message.requestId}.json`);
  const body = message.payload.toString('utf8');
  // Lambda sends the first kilobyte of the error message.
  const errorMessage = message.errorMessage.slice(0, 1024);
  const content =
    kind === 'sqs'
      ? {
          Body: body,
          MessageAttributes: {
            RequestID: { DataType: 'String', StringValue: message.requestId },
            ErrorCode: { DataType: 'Number', StringValue: '200' },
            ErrorMessage: { DataType: 'String', StringValue: errorMessage },
          },
        }
      : {
          Type: 'Notification',
          TopicArn: arn,
          Message: body,
          MessageAttributes: {
            RequestID: { Type: 'String', Value: message.requestId },
            ErrorCode: { Type: 'Number', Value: '200' },
            ErrorMessage: { Type: 'String', Value: errorMessage },
          },
        };
  await writeFileAtomic(file, JSON.stringify(content, null, 2) + '\n');
  return file;
}
