// A template problem the runtime cannot get past. The message alone tells the user where
// (file:line:col), which resource, what is wrong and what to do.
import type { SourcePosition } from '../functionConfig';

export class TemplateError extends Error {
  override readonly name = 'TemplateError';

  constructor(
    readonly templatePath: string,
    readonly position: SourcePosition,
    readonly resource: string | undefined,
    readonly problem: string,
  ) {
    super(`${templatePath}:${position.line}:${position.column}: ${resource ? `${resource}: ` : ''}${problem}`);
  }
}
