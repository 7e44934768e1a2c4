// Which Lambda runtimes the local runtime can start today.
export const NODE_RUNTIMES = ['nodejs18.x', 'nodejs20.x', 'nodejs22.x', 'nodejs24.x'];
export const PYTHON_RUNTIMES = ['python3.9', 'python3.10', 'python3.11', 'python3.12', 'python3.13', 'python3.14'];
export const OS_ONLY_RUNTIMES = ['provided', 'provided.al2', 'provided.al2023'];

export function isNodeRuntime(runtime: string): boolean {
  return NODE_RUNTIMES.includes(runtime);
}

export function isPythonRuntime(runtime: string): boolean {
  return PYTHON_RUNTIMES.includes(runtime);
}

/** Undefined when the runtime can run here, otherwise the reason it can't. */
export function unsupportedRuntimeReason(runtime: string): string | undefined {
  if (isNodeRuntime(runtime) || isPythonRuntime(runtime) || OS_ONLY_RUNTIMES.includes(runtime)) return undefined;
  return `runtime ${runtime} is not supported yet (supported: ${[...NODE_RUNTIMES, ...PYTHON_RUNTIMES, ...OS_ONLY_RUNTIMES].join(', ')})`;
}
