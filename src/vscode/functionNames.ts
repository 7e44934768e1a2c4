// One name for a function wherever the extension shows it: the template's logical id, as SAM CLI
// and the AWS Toolkit key local things (`sam local invoke HelloFunction`, events/HelloFunction/),
// and the same whether the function can run here or not. A `FunctionName` property that differs
// is the deployed name, shown beside it; Lambda itself uses that one (log groups, ARNs, the
// REPORT lines), so the runtime keeps keying environments and logs by it.
import type { LocalRuntime } from '../runtime/localRuntime';

interface Named {
  logicalId: string;
  functionName: string;
}

export function shownName(fn: Named): string {
  return fn.logicalId;
}

/** The template's FunctionName when it differs from the logical id. */
export function deployedName(fn: Named): string | undefined {
  return fn.functionName !== fn.logicalId ? fn.functionName : undefined;
}

/** The shown name of a function the runtime names by its FunctionName (events, log streams). */
export function shownNameOf(runtime: LocalRuntime, functionName: string): string {
  const fn = runtime.getFunction(functionName);
  return fn && fn.functionName === functionName ? fn.logicalId : functionName;
}
