// Which Lambda runtimes the local runtime can start today.
export const NODE_RUNTIMES = ['nodejs18.x', 'nodejs20.x', 'nodejs22.x', 'nodejs24.x'];
export const OS_ONLY_RUNTIMES = ['provided', 'provided.al2', 'provided.al2023'];

export function isNodeRuntime(runtime: string): boolean {
  return NODE_RUNTIMES.includes(runtime);
}

/** Undefined when the runtime can run here, otherwise the reason it can't. */
export function unsupportedRuntimeReason(runtime: string): string | undefined {
  if (isNodeRuntime(runtime) || OS_ONLY_RUNTIMES.includes(runtime)) return undefined;
  return `runtime ${runtime} is not supported yet (supported: ${[...NODE_RUNTIMES, ...OS_ONLY_RUNTIMES].join(', ')})`;
}
