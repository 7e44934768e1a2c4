// Service errors on the wire as Lambda sends them: the type in `X-Amzn-ErrorType` (what the
// AWS SDK v3 and botocore read first) and a JSON body with `Type`/`Message` (plus `__type`
// for clients that only read the body).
import type { ServerResponse } from 'node:http';
import { LambdaServiceError } from '../errors/serviceErrors';

export function sendError(res: ServerResponse, err: unknown, requestId: string): void {
  const known = err instanceof LambdaServiceError;
  const type = known ? err.type : 'ServiceException';
  const status = known ? err.statusCode : 500;
  const message = err instanceof Error ? err.message : String(err);
  const body: Record<string, unknown> = { Type: status >= 500 ? 'Service' : 'User', Message: message, __type: type };
  const reason = (err as { reason?: unknown }).reason;
  if (typeof reason === 'string') body.Reason = reason;
  const text = JSON.stringify(body);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'X-Amzn-ErrorType': type,
    'x-amzn-RequestId': requestId,
  });
  res.end(text);
}
