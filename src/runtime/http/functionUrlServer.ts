// One function URL on its own port: AuthType NONE or AWS_IAM (unsigned requests refused, any
// signature accepted), CORS answered by Lambda itself, the 2.0 event with a function URL's
// requestContext, and the response mapped (BUFFERED) or streamed chunk by chunk (RESPONSE_STREAM).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LocalRuntime } from '../localRuntime';
import { MAX_SYNC_PAYLOAD } from '../localRuntime';
import type { FunctionUrlSpec } from '../template/httpModel';
import { answerPreflight, decorateResponse, isPreflight } from './cors';
import type { EventContext } from './eventContext';
import { buildEventV2 } from './eventV2';
import { headerValue, PayloadTooLarge, readFrontDoorRequest, withForwardingHeaders, type FrontDoorRequest } from './frontDoorRequest';
import { gatewayError, serveReportingFailures } from './gatewayErrors';
import { sendResult, type HttpResult } from './httpResult';
import { invokeIntegration } from './integration';
import { listen, type Listener } from './listener';
import { isTextType } from './mediaTypes';
import { randomUUID, stableId, traceId } from './requestIds';
import { mapResponseV2 } from './responseMapping';
import { splitStreamedPayload, type StreamHead } from './streamedResponse';

export class FunctionUrlServer {
  /** Like the `<url-id>` of `https://<url-id>.lambda-url.<region>.on.aws`. */
  readonly urlId: string;
  private listener: Listener | undefined;
  readonly createdAt = new Date();
  lastModifiedAt = new Date();

  constructor(
    private readonly runtime: LocalRuntime,
    public spec: FunctionUrlSpec,
    /** The function's name as the runtime knows it. */
    readonly functionName: string,
  ) {
    this.urlId = stableId(`${functionName}#${spec.qualifier ?? ''}`, 32);
  }

  get url(): string {
    return `${this.listener?.url ?? ''}/`;
  }

  get port(): number | undefined {
    return this.listener?.port;
  }

  async start(host: string, port: number): Promise<void> {
    this.listener = await listen(host, port, (req, res) => void this.handle(req, res));
  }

  async close(): Promise<void> {
    await this.listener?.close();
  }

  private handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    return serveReportingFailures(this.runtime, 'url', req, res, () => this.serve(req, res));
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const trace = traceId(Date.now());
    const stamp = (headers: Array<[string, string]>): Array<[string, string]> => [
      ...headers,
      ['x-amzn-RequestId', requestId],
      ['X-Amzn-Trace-Id', trace],
    ];
    let request: FrontDoorRequest;
    try {
      request = withForwardingHeaders(await readFrontDoorRequest(req, MAX_SYNC_PAYLOAD), this.port, trace);
    } catch (err) {
      const r = gatewayError('url', err instanceof PayloadTooLarge ? 'too-large' : 'function-error');
      sendResult(res, { ...r, headers: stamp(r.headers) });
      return;
    }
    const { spec } = this;
    const withCors = (headers: Array<[string, string]>) => (spec.cors ? decorateResponse(spec.cors, request, headers) : headers);
    const answer = (result: HttpResult) => sendResult(res, { ...result, headers: stamp(withCors(result.headers)) });
    if (spec.cors && isPreflight(request)) {
      const preflight = answerPreflight(spec.cors, request);
      return sendResult(res, { ...preflight, headers: stamp(preflight.headers) });
    }
    const ctx = this.eventContext(request, requestId);
    if (spec.authType === 'AWS_IAM') {
      const identity = signedIdentity(request, this.runtime.accountId);
      if (!identity) return answer(gatewayError('url', 'forbidden'));
      ctx.authorizer = { iam: identity };
    }
    const event = buildEventV2(ctx);
    const requestContext = event.requestContext as Record<string, unknown>;
    // Lambda writes "anonymous" as the caller's account for URLs without IAM auth.
    if (spec.authType === 'NONE') requestContext.accountId = 'anonymous';
    const streaming = spec.invokeMode === 'RESPONSE_STREAM';
    const outcome = await invokeIntegration({
      runtime: this.runtime,
      functionName: this.functionName,
      qualifier: spec.qualifier,
      event,
      stream: streaming
        ? { res, decorate: (head: StreamHead) => ({ statusCode: head.statusCode, headers: stamp(withCors(head.headers)) }) }
        : undefined,
    });
    if (outcome.kind === 'streamed') return;
    if (outcome.kind === 'timeout') return answer(gatewayError('url', 'timeout'));
    if (outcome.kind === 'refused') {
      const status = outcome.error.statusCode;
      return answer(gatewayError('url', status === 429 ? 'throttled' : status === 413 ? 'too-large' : 'service-error'));
    }
    const { result } = outcome;
    if (result.functionError) return answer(gatewayError('url', 'function-error'));
    if (result.streamed) {
      const { head, body } = splitStreamedPayload(result.payload, outcome.streamContentType);
      return answer({ statusCode: head.statusCode, headers: head.headers, body });
    }
    const mapped = mapResponseV2(result.payload);
    answer(mapped ?? gatewayError('url', 'function-error'));
  }

  private eventContext(request: FrontDoorRequest, requestId: string): EventContext {
    return {
      request,
      accountId: this.runtime.accountId,
      apiId: this.urlId,
      stage: '$default',
      stageVariables: {},
      routeKey: '$default',
      resourcePath: '$default',
      pathParameters: {},
      path: request.rawPath,
      fullPath: request.rawPath,
      requestId,
      extendedRequestId: requestId,
      domainName: headerValue(request, 'host') ?? 'localhost',
      base64Body: request.body.length > 0 && !isTextType(headerValue(request, 'content-type')),
    };
  }
}

/** The caller of a SigV4-signed request (any credentials are accepted); undefined when unsigned. */
function signedIdentity(request: FrontDoorRequest, accountId: string): Record<string, unknown> | undefined {
  const header = headerValue(request, 'authorization') ?? '';
  const query = new URLSearchParams(request.rawQuery);
  const credential =
    /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)/.exec(header)?.[1] ??
    (query.get('X-Amz-Signature') ? query.get('X-Amz-Credential')?.split('/')[0] : undefined);
  if (!credential) return undefined;
  return {
    accessKey: credential,
    accountId,
    callerId: `AIDA${credential.slice(-12).toUpperCase()}`,
    cognitoIdentity: null,
    principalOrgId: null,
    userArn: `arn:aws:iam::${accountId}:user/local`,
    userId: `AIDA${credential.slice(-12).toUpperCase()}`,
  };
}
