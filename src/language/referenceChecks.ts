// Ref / GetAtt / Sub ${} / Condition / DependsOn targets that don't exist, attributes a type
// doesn't have, logical ids used twice, and circular dependencies between resources.
import type { Finding } from './findings';
import { GETATT_ATTRIBUTES } from './resourceSchema';
import { samGeneratedResources } from './samGeneratedResources';
import { PSEUDO_PARAMETERS, type Reference, type TemplateIndex } from './templateIndex';

export function referenceFindings(index: TemplateIndex): Finding[] {
  const findings: Finding[] = [];
  let ids: string[] | undefined;
  const resourceIds = (): string[] => (ids ??= [...index.resources.keys()]);
  const generated = samGeneratedResources(index);
  for (const ref of index.references) {
    if (ref.kind !== 'Condition' && generated.has(ref.target)) continue;
    const problem = checkReference(index, ref, resourceIds);
    if (problem) findings.push(problem);
  }
  for (const [id, info] of index.resources) {
    const param = index.parameters.get(id);
    if (param) {
      findings.push({
        start: info.entry.keyStart,
        end: info.entry.keyEnd,
        severity: 'error',
        message: `${id} is both a parameter and a resource; logical ids must be unique across Parameters and Resources`,
      });
    }
  }
  findings.push(...cycles(index));
  return findings;
}

function checkReference(index: TemplateIndex, ref: Reference, resourceIds: () => string[]): Finding | undefined {
  const at = { start: ref.start, end: ref.end };
  if (ref.kind === 'Condition') {
    if (index.conditions.has(ref.target)) return undefined;
    return unknown(at, `condition ${ref.target} is not declared under Conditions`, ref.target, [...index.conditions.keys()]);
  }
  if (ref.kind === 'DependsOn' || ref.kind === 'GetAtt' || (ref.attribute !== undefined && ref.kind === 'Sub')) {
    const resource = index.resources.get(ref.target);
    if (!resource) {
      const what = ref.kind === 'DependsOn' ? `DependsOn ${ref.target}` : `GetAtt ${ref.target}${ref.attribute ? `.${ref.attribute}` : ''}`;
      return unknown(at, `${what}: there is no resource ${ref.target} in this template`, ref.target, resourceIds());
    }
    if (ref.kind === 'DependsOn') return undefined;
    if (ref.attribute === undefined) {
      return { ...at, severity: 'error', message: `GetAtt ${ref.target} needs an attribute: write ${ref.target}.<Attribute>` };
    }
    const known = resource.type ? GETATT_ATTRIBUTES[resource.type] : undefined;
    if (known && !known.includes(ref.attribute)) {
      const caseMatch = known.find((a) => a.toLowerCase() === ref.attribute!.toLowerCase());
      return {
        start: ref.attributeStart!,
        end: ref.attributeEnd!,
        severity: 'error',
        message: `${resource.type} has no attribute ${ref.attribute} for GetAtt (it has ${known.join(', ')})`,
        ...(caseMatch ? { fix: { kind: 'replace', title: `Change to ${caseMatch}`, newText: caseMatch } } : {}),
      };
    }
    return undefined;
  }
  // Ref and Sub ${Name}
  const name = ref.target;
  if (name.startsWith('AWS::')) {
    if (PSEUDO_PARAMETERS.includes(name)) return undefined;
    return unknown(at, `${name} is not a pseudo parameter (there are ${PSEUDO_PARAMETERS.join(', ')})`, name, PSEUDO_PARAMETERS);
  }
  if (index.parameters.has(name) || index.resources.has(name)) return undefined;
  return unknown(
    at,
    `${ref.kind} ${name}: no parameter, pseudo parameter or resource has this name; declare it under Parameters or fix the name`,
    name,
    [...index.parameters.keys(), ...resourceIds()],
  );
}

/** An unknown name; when it differs from a known one only by case, or is one typo away from a single one, the fix is obvious. */
function unknown(at: { start: number; end: number }, message: string, name: string, known: string[]): Finding {
  const near = name.length >= 4 ? known.filter((k) => Math.abs(k.length - name.length) <= 1 && editDistance(k, name) === 1) : [];
  const match = known.find((k) => k.toLowerCase() === name.toLowerCase()) ?? (near.length === 1 ? near[0] : undefined);
  return {
    ...at,
    severity: 'error',
    message: match ? `${message} (did you mean ${match}?)` : message,
    ...(match ? { fix: { kind: 'replace', title: `Change to ${match}`, newText: match } } : {}),
  };
}

/** Edits (insert, delete, replace, swap two neighbours) from a to b: optimal string alignment. */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** Strongly connected components of the resource dependency graph (Tarjan), each a cycle. */
function cycles(index: TemplateIndex): Finding[] {
  const edges = new Map<string, Set<string>>();
  for (const ref of index.references) {
    if (!ref.resource || ref.kind === 'Condition' || !index.resources.has(ref.target)) continue;
    let set = edges.get(ref.resource);
    if (!set) edges.set(ref.resource, (set = new Set()));
    set.add(ref.target);
  }
  const order = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  let counter = 0;
  const visit = (root: string): void => {
    // Iterative, so a long chain of resources can't overflow the call stack.
    const work: Array<{ id: string; next: string[] }> = [];
    const enter = (id: string): void => {
      order.set(id, counter);
      low.set(id, counter++);
      stack.push(id);
      onStack.add(id);
      work.push({ id, next: [...(edges.get(id) ?? [])] });
    };
    enter(root);
    while (work.length > 0) {
      const top = work[work.length - 1];
      const child = top.next.pop();
      if (child !== undefined) {
        if (!order.has(child)) enter(child);
        else if (onStack.has(child)) low.set(top.id, Math.min(low.get(top.id)!, order.get(child)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.id, Math.min(low.get(parent.id)!, low.get(top.id)!));
      if (low.get(top.id) === order.get(top.id)) {
        const component: string[] = [];
        let id: string;
        do {
          id = stack.pop()!;
          onStack.delete(id);
          component.push(id);
        } while (id !== top.id);
        if (component.length > 1 || edges.get(top.id)?.has(top.id)) components.push(component.reverse());
      }
    }
  };
  for (const id of edges.keys()) if (!order.has(id)) visit(id);
  const findings: Finding[] = [];
  for (const component of components) {
    const path = [...component, component[0]].join(' → ');
    for (const id of component) {
      const entry = index.resources.get(id)!.entry;
      findings.push({
        start: entry.keyStart,
        end: entry.keyEnd,
        severity: 'error',
        message: `circular dependency: ${path}; CloudFormation cannot create these resources, remove one of the references`,
      });
    }
  }
  return findings;
}
