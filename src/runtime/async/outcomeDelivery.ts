// Where an asynchronous invocation's outcome goes once it is final: the OnSuccess or
// OnFailure destination (a function of the loaded templates gets the record as an
// asynchronous invoke; other services get a file), and, for failures, the dead-letter
// queue (the event itself).
import { writeDeadLetter, writeDestinationRecord } from './destinationFiles';
import { destinationKind } from './eventInvokeConfig';
import type { InvocationRecord } from './invocationRecord';

export interface Delivery {
  target: 'OnSuccess' | 'OnFailure' | 'DeadLetterQueue';
  arn: string;
  /** The file holding the record or message, for destinations kept on disk. */
  file?: string;
  /** The request id of the asynchronous invoke of a destination function. */
  requestId?: string;
  /** Why the delivery failed (Lambda counts these as DestinationDeliveryFailures). */
  error?: string;
}

export interface DeliveryContext {
  region: string;
  accountId: string;
  /** The state folder of the function whose outcome this is. */
  stateDir: string;
  /** Queues an asynchronous invoke of a loaded function; undefined if the ARN names none. */
  invokeFunction(arn: string, payload: Buffer): Promise<string | undefined>;
}

export async function deliverOutcome(
  ctx: DeliveryContext,
  outcome: { record: InvocationRecord; destination?: string; deadLetter?: string; payload: Buffer; errorMessage: string },
): Promise<Delivery[]> {
  const deliveries: Delivery[] = [];
  const success = outcome.record.requestContext.condition === 'Success';
  if (outcome.destination) {
    const delivery: Delivery = { target: success ? 'OnSuccess' : 'OnFailure', arn: outcome.destination };
    try {
      const requestId =
        destinationKind(outcome.destination) === 'lambda'
          ? await ctx.invokeFunction(outcome.destination, Buffer.from(JSON.stringify(outcome.record)))
          : undefined;
      if (requestId) delivery.requestId = requestId;
      else delivery.file = await writeDestinationRecord(ctx.stateDir, outcome.destination, outcome.record, ctx);
    } catch (err) {
      delivery.error = (err as Error).message;
    }
    deliveries.push(delivery);
  }
  if (!success && outcome.deadLetter) {
    const delivery: Delivery = { target: 'DeadLetterQueue', arn: outcome.deadLetter };
    try {
      delivery.file = await writeDeadLetter(ctx.stateDir, outcome.deadLetter, {
        requestId: outcome.record.requestContext.requestId,
        payload: outcome.payload,
        errorMessage: outcome.errorMessage,
      });
    } catch (err) {
      delivery.error = (err as Error).message;
    }
    deliveries.push(delivery);
  }
  return deliveries;
}
