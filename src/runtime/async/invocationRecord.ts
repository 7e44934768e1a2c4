// The invocation record Lambda sends to an asynchronous invocation's destinations
// (version 1.0): what was asked, how it ended, and what the function answered.

export type DestinationCondition = 'Success' | 'RetriesExhausted' | 'EventAgeExceeded';

export interface InvocationRecord {
  version: '1.0';
  timestamp: string;
  requestContext: {
    requestId: string;
    functionArn: string;
    condition: DestinationCondition;
    approximateInvokeCount: number;
  };
  requestPayload: unknown;
  responseContext?: { statusCode: number; executedVersion: string; functionError?: string };
  responsePayload?: unknown;
}

/** A payload as the record carries it: parsed JSON, else the text. */
export function payloadValue(payload: Buffer): unknown {
  const text = payload.toString('utf8');
  if (text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** What the record says about the last attempt's response. */
export interface LastResponse {
  executedVersion: string;
  functionError?: string;
  payload: Buffer;
}

export function invocationRecord(opts: {
  requestId: string;
  functionArn: string;
  condition: DestinationCondition;
  invokeCount: number;
  payload: Buffer;
  last?: LastResponse;
  now?: Date;
}): InvocationRecord {
  const record: InvocationRecord = {
    version: '1.0',
    timestamp: (opts.now ?? new Date()).toISOString(),
    requestContext: {
      requestId: opts.requestId,
      functionArn: opts.functionArn,
      condition: opts.condition,
      approximateInvokeCount: opts.invokeCount,
    },
    requestPayload: payloadValue(opts.payload),
  };
  // An event that expired before it ever ran has no response to describe.
  if (opts.last) {
    record.responseContext = { statusCode: 200, executedVersion: opts.last.executedVersion };
    if (opts.last.functionError) record.responseContext.functionError = opts.last.functionError;
    record.responsePayload = payloadValue(opts.last.payload);
  }
  return record;
}
