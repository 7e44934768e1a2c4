// When Lambda's event queue tries an asynchronous event again. Function errors (including
// timeouts) are retried MaximumRetryAttempts times, one minute then two minutes apart.
// Throttles (429) and service errors (5xx) go back to the queue and are retried with an
// interval growing from 1 second to 5 minutes, until the event is too old; they use none of
// the retry attempts. (Lambda's "How Lambda handles errors and retries with asynchronous invocation".)

const FUNCTION_ERROR_DELAYS_MS = [60_000, 120_000];
const THROTTLE_FIRST_DELAY_MS = 1_000;
const THROTTLE_MAX_DELAY_MS = 300_000;

export class RetryPolicy {
  /**
   * @param scale multiplies every delay and the maximum event age (1 = Lambda's timing;
   *   0.001 turns a minute into 60 ms for local work).
   */
  constructor(readonly scale = 1) {
    if (!(scale > 0) || !Number.isFinite(scale))
      throw new Error(`The asynchronous retry delay scale must be a number above 0, got ${scale}`);
  }

  /** Wait before retry number `retry` (1-based) after a function error. */
  afterFunctionError(retry: number): number {
    return FUNCTION_ERROR_DELAYS_MS[Math.min(retry, FUNCTION_ERROR_DELAYS_MS.length) - 1] * this.scale;
  }

  /** Wait after the `throttles`-th throttle or service error of an event. */
  afterThrottle(throttles: number): number {
    return Math.min(THROTTLE_FIRST_DELAY_MS * 2 ** Math.max(0, throttles - 1), THROTTLE_MAX_DELAY_MS) * this.scale;
  }

  /** MaximumEventAgeInSeconds as milliseconds on this (possibly scaled) clock. */
  maxAgeMs(seconds: number): number {
    return seconds * 1000 * this.scale;
  }
}
