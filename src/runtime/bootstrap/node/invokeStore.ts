// awslambda.InvokeStore on nodejs24.x: aws-lambda-ric 4.x's per-invocation store (from
// @aws/lambda-invoke-store), which libraries read the current request id, X-Ray trace id and
// tenant from instead of the environment. One invocation at a time here, as in Lambda's
// on-demand environments (the multi-concurrency store of managed instances is not modelled).

const PROTECTED_KEYS = {
  REQUEST_ID: Symbol.for('_AWS_LAMBDA_REQUEST_ID'),
  X_RAY_TRACE_ID: Symbol.for('_AWS_LAMBDA_X_RAY_TRACE_ID'),
  TENANT_ID: Symbol.for('_AWS_LAMBDA_TENANT_ID'),
};

type StoreKey = string | symbol;
type StoreContext = Record<StoreKey, unknown>;

export class InvokeStoreSingle {
  static PROTECTED_KEYS = PROTECTED_KEYS;
  currentContext: StoreContext | undefined;

  isProtectedKey(key: StoreKey): boolean {
    return Object.values(PROTECTED_KEYS).includes(key as symbol);
  }

  getRequestId(): string {
    return (this.get(PROTECTED_KEYS.REQUEST_ID) as string | undefined) ?? '-';
  }

  getXRayTraceId(): string | undefined {
    return this.get(PROTECTED_KEYS.X_RAY_TRACE_ID) as string | undefined;
  }

  getTenantId(): string | undefined {
    return this.get(PROTECTED_KEYS.TENANT_ID) as string | undefined;
  }

  getContext(): StoreContext | undefined {
    return this.currentContext;
  }

  hasContext(): boolean {
    return this.currentContext !== undefined;
  }

  get(key: StoreKey): unknown {
    return this.currentContext?.[key];
  }

  set(key: StoreKey, value: unknown): void {
    if (this.isProtectedKey(key)) throw new Error(`Cannot modify protected Lambda context field: ${String(key)}`);
    this.currentContext = this.currentContext || {};
    this.currentContext[key] = value;
  }

  run<T>(context: StoreContext, fn: () => T): T {
    this.currentContext = context;
    return fn();
  }
}

export const invokeStore = new InvokeStoreSingle();

/** 4.x runs each invocation in the store with its request id and trace id (current until the next one). */
export function enterInvocation(requestId: string, xRayTraceId: string | undefined): void {
  invokeStore.run({ [PROTECTED_KEYS.REQUEST_ID]: requestId, [PROTECTED_KEYS.X_RAY_TRACE_ID]: xRayTraceId }, () => undefined);
}
