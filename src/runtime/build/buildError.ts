// A function's code failed to build. The message names the function and each problem's
// file:line:col, as a compiler would print it, so editors and terminals can link to it.
export interface BuildProblem {
  /** Absolute path, when esbuild knows the file. */
  file?: string;
  /** 1-based. */
  line?: number;
  /** 1-based. */
  column?: number;
  text: string;
}

export class BuildError extends Error {
  override readonly name = 'BuildError';

  constructor(
    readonly logicalId: string,
    readonly functionName: string,
    readonly problems: BuildProblem[],
  ) {
    super(`${functionName}: build failed\n${problems.map(formatProblem).join('\n')}`);
  }
}

export function formatProblem(p: BuildProblem): string {
  if (!p.file) return p.text;
  return `${p.file}${p.line ? `:${p.line}:${p.column ?? 1}` : ''}: ${p.text}`;
}
