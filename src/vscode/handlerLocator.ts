// Where a function's handler lives in the user's source, as its runtime family resolves it.
import type { FunctionConfig } from '../runtime/functionConfig';
import { familyOf } from '../runtime/families/runtimeFamilies';
import type { HandlerLocation } from '../runtime/families/runtimeFamily';

export type { HandlerLocation };

/** `text`: the file's current content when the caller has it (an open, maybe unsaved, document). */
export function locateHandler(fn: FunctionConfig, text?: string): HandlerLocation | undefined {
  return familyOf(fn.runtime)?.locateHandler(fn, text);
}
