// Every runtime family Lambda Lab can run, and the lookup from a function's `Runtime`.
import { nodeFamily } from './node/nodeFamily';
import { providedFamily } from './provided/providedFamily';
import { pythonFamily } from './python/pythonFamily';
import type { RuntimeFamily } from './runtimeFamily';

export const RUNTIME_FAMILIES: readonly RuntimeFamily[] = [nodeFamily, pythonFamily, providedFamily];

/** The family that runs `runtime` (e.g. `nodejs22.x` → node), undefined if none does. */
export function familyOf(runtime: string): RuntimeFamily | undefined {
  return RUNTIME_FAMILIES.find((f) => f.runtimes.includes(runtime));
}
