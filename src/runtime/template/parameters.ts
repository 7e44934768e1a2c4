// Template Parameters → values: Default, then the env-vars file's "Parameters" entries with
// the same name, then explicit overrides (the CLI's / caller's) win.
import type { TemplateDocument } from './templateDocument';
import { isPlainMap } from './globals';

export interface ParameterValues {
  /** Values as Ref sees them: List<...> and CommaDelimitedList parameters are arrays. */
  values: Map<string, string | string[]>;
  /** The same values as strings, for TemplateModel.parameters. */
  strings: Record<string, string>;
  warnings: Array<{ node: unknown; key: string; message: string }>;
}

export function resolveParameters(
  doc: TemplateDocument,
  envFileParameters: Record<string, string>,
  overrides: Record<string, string>,
): ParameterValues {
  const section = doc.root.Parameters ?? {};
  if (!isPlainMap(section)) throw doc.error(doc.root, 'Parameters', undefined, 'Parameters must be a map of parameter declarations');
  const result: ParameterValues = { values: new Map(), strings: {}, warnings: [] };
  for (const [name, declaration] of Object.entries(section)) {
    if (!isPlainMap(declaration)) {
      throw doc.error(section, name, undefined, `parameter ${name} must be a map with at least a Type`);
    }
    const type = typeof declaration.Type === 'string' ? declaration.Type : 'String';
    const fallback = declaration.Default;
    let value: string | undefined =
      overrides[name] ??
      envFileParameters[name] ??
      (fallback === undefined || fallback === null ? undefined : Array.isArray(fallback) ? fallback.join(',') : String(fallback));
    if (value === undefined) {
      result.warnings.push({
        node: section,
        key: name,
        message: `parameter ${name} has no Default and no override; using its name as the value (pass a parameter override)`,
      });
      value = name;
    }
    const allowed = declaration.AllowedValues;
    if (Array.isArray(allowed) && !allowed.map(String).includes(value)) {
      throw doc.error(
        section,
        name,
        undefined,
        `parameter ${name} = "${value}" is not one of its AllowedValues (${allowed.map(String).join(', ')}); change the Default or the override`,
      );
    }
    const isList = type === 'CommaDelimitedList' || type.startsWith('List<');
    result.values.set(name, isList ? value.split(',').map((s) => s.trim()) : value);
    result.strings[name] = value;
  }
  for (const name of Object.keys(overrides)) {
    if (!(name in section)) {
      result.warnings.push({
        node: doc.root,
        key: 'Parameters',
        message: `parameter override ${name} names no parameter of this template; it is ignored`,
      });
    }
  }
  return result;
}
