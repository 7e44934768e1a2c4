// CloudFormation refuses a template whose resources depend on each other in a circle
// ("Circular dependency between resources: [A, B]"), a resource referring to itself included.
// Dependencies are what CloudFormation derives them from: Ref, Fn::GetAtt and Fn::Sub
// variables inside Properties, and DependsOn. For SAM resources only self-references count:
// the SAM transform turns e.g. a function's Events and an Api's DefinitionBody into separate
// resources, so a function ⇄ API circle in the source template is not one after the transform.
import type { TemplateDocument, TemplateMap, TemplateValue } from './templateDocument';
import { isPlainMap } from './globals';

interface Edge {
  to: string;
  /** The map holding the reference (for the error's position). */
  node: TemplateValue;
  key: string;
}

export function checkDependencyCycles(doc: TemplateDocument, resources: TemplateMap): void {
  const edges = new Map<string, Edge[]>();
  for (const [id, resource] of Object.entries(resources)) {
    if (!isPlainMap(resource)) continue;
    let out: Edge[] = [];
    const serverless = typeof resource.Type === 'string' && resource.Type.startsWith('AWS::Serverless::');
    const props = resource.Properties;
    if (serverless && isPlainMap(props)) {
      for (const [name, value] of Object.entries(props)) if (name !== 'Events') collect(value, resources, out);
      out = out.filter((e) => e.to === id);
    } else {
      collect(props, resources, out);
    }
    const dependsOn = resource.DependsOn;
    for (const target of typeof dependsOn === 'string' ? [dependsOn] : Array.isArray(dependsOn) ? dependsOn : []) {
      if (typeof target === 'string' && target in resources) out.push({ to: target, node: resource, key: 'DependsOn' });
    }
    edges.set(id, out);
  }
  // Iterative depth-first search: 0 unvisited, 1 on the current path, 2 done.
  const state = new Map<string, number>();
  for (const start of edges.keys()) {
    if (state.get(start)) continue;
    const path: string[] = [];
    const stack: Array<{ id: string; next: number }> = [{ id: start, next: 0 }];
    state.set(start, 1);
    path.push(start);
    while (stack.length) {
      const top = stack[stack.length - 1];
      const out = edges.get(top.id) ?? [];
      if (top.next >= out.length) {
        state.set(top.id, 2);
        stack.pop();
        path.pop();
        continue;
      }
      const edge = out[top.next++];
      const seen = state.get(edge.to) ?? 0;
      if (seen === 1) {
        const cycle = path.slice(path.indexOf(edge.to));
        throw doc.errorAtKey(
          edge.node,
          edge.key,
          top.id,
          `Circular dependency between resources: [${cycle.join(', ')}] (CloudFormation rejects it); ` +
            (cycle.length === 1 ? 'a resource cannot refer to itself' : 'remove one of the references'),
        );
      }
      if (seen === 0) {
        state.set(edge.to, 1);
        path.push(edge.to);
        stack.push({ id: edge.to, next: 0 });
      }
    }
  }
}

function collect(value: TemplateValue | undefined, resources: TemplateMap, out: Edge[]): void {
  const pending: TemplateValue[] = value === undefined ? [] : [value];
  while (pending.length) {
    const v = pending.pop()!;
    if (Array.isArray(v)) {
      pending.push(...v);
      continue;
    }
    if (!isPlainMap(v)) continue;
    const keys = Object.keys(v);
    if (keys.length === 1) {
      const [key] = keys;
      const arg = v[key];
      if (key === 'Ref' && typeof arg === 'string' && arg in resources) out.push({ to: arg, node: v, key });
      if (key === 'Fn::GetAtt') {
        const target = Array.isArray(arg) ? arg[0] : typeof arg === 'string' ? arg.split('.')[0] : undefined;
        if (typeof target === 'string' && target in resources) out.push({ to: target, node: v, key });
      }
      if (key === 'Fn::Sub') {
        const [template, variables] = Array.isArray(arg) ? arg : [arg, undefined];
        if (typeof template === 'string') {
          for (const m of template.matchAll(/\$\{([^!}][^}]*)\}/g)) {
            const name = m[1].split('.')[0];
            const local = isPlainMap(variables) && name in variables;
            if (!local && name in resources) out.push({ to: name, node: v, key });
          }
        }
      }
    }
    pending.push(...Object.values(v));
  }
}
