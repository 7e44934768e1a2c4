// CloudFormation intrinsic functions and conditions, evaluated locally. What only a deployed
// stack could know (attributes of tables, imports...) becomes a visible placeholder plus a
// warning, never a crash: the env-vars file is how users give those values locally.
import type { TemplateDocument, TemplateMap, TemplateValue } from './templateDocument';

export const NO_VALUE: unique symbol = Symbol('AWS::NoValue');
export type Resolved = TemplateValue | typeof NO_VALUE;

export interface IntrinsicScope {
  doc: TemplateDocument;
  /** Resolved parameter values; List/CommaDelimitedList parameters are arrays. */
  parameters: Map<string, string | string[]>;
  /** AWS::Region, AWS::AccountId, ... (AWS::NoValue is handled here). */
  pseudoParameters: Record<string, string>;
  resources: TemplateMap;
  conditions: TemplateMap;
  mappings: TemplateMap;
  /** Ref of a resource the runtime models (function → its name); undefined if it can't say. */
  refOfResource(logicalId: string): string | undefined;
  /** GetAtt the runtime can answer (function Arn); undefined if it can't. */
  getAttOfResource(logicalId: string, attribute: string): string | undefined;
  warn(node: unknown, key: string | number | undefined, resource: string | undefined, message: string): void;
}

type Intrinsic = (arg: TemplateValue, node: TemplateMap, key: string) => Resolved;

export class IntrinsicResolver {
  private readonly conditionValues = new Map<string, boolean>();
  private readonly conditionsInProgress = new Set<string>();
  private resource: string | undefined;

  constructor(private readonly scope: IntrinsicScope) {}

  /** Evaluates every intrinsic in value; `NO_VALUE` means the property is absent (AWS::NoValue). */
  resolve(value: TemplateValue, resource: string | undefined): Resolved {
    const saved = this.resource;
    this.resource = resource;
    try {
      return this.value(value);
    } finally {
      this.resource = saved;
    }
  }

  /** The value of a named condition (memoised; cycles are template errors). */
  condition(name: string, resource: string | undefined, node: unknown, key?: string | number): boolean {
    const saved = this.resource;
    this.resource = resource;
    try {
      return this.namedCondition(name, node, key);
    } finally {
      this.resource = saved;
    }
  }

  private value(value: TemplateValue): Resolved {
    if (Array.isArray(value)) {
      const out: TemplateValue[] = [];
      for (const item of value) {
        const r = this.value(item);
        if (r !== NO_VALUE) out.push(r);
      }
      return out;
    }
    if (value === null || typeof value !== 'object') return value;
    const keys = Object.keys(value);
    const fn = keys.length === 1 ? this.intrinsics[keys[0]] : undefined;
    if (fn) return fn(value[keys[0]], value, keys[0]);
    const out: TemplateMap = {};
    for (const k of keys) {
      const r = this.value(value[k]);
      if (r !== NO_VALUE) out[k] = r;
    }
    return out;
  }

  private fail(node: unknown, key: string | number | undefined, problem: string): Error {
    return this.scope.doc.error(node, key, this.resource, problem);
  }

  /** An error at an intrinsic function itself (its tag, or the `{` of its long form). */
  private failAt(node: TemplateMap, problem: string): Error {
    return this.scope.doc.error(node, undefined, this.resource, problem);
  }

  private unresolved(node: unknown, what: string, placeholder: string): string {
    this.scope.warn(
      node,
      undefined,
      this.resource,
      `${what} cannot be resolved locally; using "${placeholder}" (give the real value with an --env-vars file)`,
    );
    return placeholder;
  }

  private string(value: TemplateValue, node: TemplateMap, what: string): string {
    const r = this.value(value);
    if (typeof r === 'string') return r;
    if (typeof r === 'number' || typeof r === 'boolean') return String(r);
    throw this.failAt(node, `${what} must be a string, got ${describe(r)}`);
  }

  private list(value: TemplateValue, node: TemplateMap, what: string): TemplateValue[] {
    const r = this.value(value);
    if (Array.isArray(r)) return r;
    throw this.failAt(node, `${what} must be a list, got ${describe(r)}`);
  }

  private args(value: TemplateValue, node: TemplateMap, key: string, count: number, usage: string): TemplateValue[] {
    if (!Array.isArray(value) || value.length !== count) throw this.failAt(node, `${key} takes ${usage}`);
    return value;
  }

  private ref(name: string, node: TemplateMap): Resolved {
    if (name === 'AWS::NoValue') return NO_VALUE;
    const param = this.scope.parameters.get(name);
    if (param !== undefined) return param;
    const pseudo = this.scope.pseudoParameters[name];
    if (pseudo !== undefined) return pseudo;
    if (name === 'AWS::NotificationARNs') return [];
    const resource = this.scope.resources[name];
    if (resource !== undefined) {
      return this.scope.refOfResource(name) ?? this.unresolved(node, `Ref ${name} (${resourceType(resource)})`, name);
    }
    throw this.failAt(
      node,
      `Ref ${name}: no parameter, pseudo parameter or resource has this name; declare it under Parameters or fix the name`,
    );
  }

  private getAtt(logicalId: string, attribute: string, node: TemplateMap): string {
    const resource = this.scope.resources[logicalId];
    if (resource === undefined) {
      throw this.failAt(node, `GetAtt ${logicalId}.${attribute}: there is no resource ${logicalId} in this template`);
    }
    return (
      this.scope.getAttOfResource(logicalId, attribute) ??
      this.unresolved(node, `GetAtt ${logicalId}.${attribute} (${resourceType(resource)})`, `${logicalId}.${attribute}`)
    );
  }

  private sub(template: string, variables: TemplateMap, node: TemplateMap): string {
    return template.replace(/\$\{([^}]*)\}/g, (_whole, inner: string) => {
      if (inner.startsWith('!')) return `\${${inner.slice(1)}}`;
      const name = inner.trim();
      if (name in variables) return this.string(variables[name], variables, `Fn::Sub variable ${name}`);
      const dot = name.indexOf('.');
      if (dot > 0 && !name.startsWith('AWS::')) return this.getAtt(name.slice(0, dot), name.slice(dot + 1), node);
      const r = this.ref(name, node);
      if (typeof r === 'string') return r;
      if (r === NO_VALUE) throw this.failAt(node, `Fn::Sub cannot substitute \${${name}}: it has no value`);
      throw this.failAt(node, `Fn::Sub cannot substitute the list \${${name}}; use Fn::Join instead`);
    });
  }

  private namedCondition(name: string, node: unknown, key?: string | number): boolean {
    const known = this.conditionValues.get(name);
    if (known !== undefined) return known;
    const definition = this.scope.conditions[name];
    if (definition === undefined) {
      throw this.fail(node, key, `condition ${name} is not declared under Conditions`);
    }
    if (this.conditionsInProgress.has(name)) {
      throw this.fail(this.scope.conditions, name, `condition ${name} refers to itself`);
    }
    this.conditionsInProgress.add(name);
    const result = this.conditionValue(definition, this.scope.conditions, name);
    this.conditionsInProgress.delete(name);
    this.conditionValues.set(name, result);
    return result;
  }

  private conditionValue(value: TemplateValue, parent: unknown, key: string | number): boolean {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const keys = Object.keys(value);
      if (keys.length === 1 && keys[0] === 'Condition') {
        const name = value.Condition;
        if (typeof name !== 'string') throw this.fail(value, 'Condition', 'Condition takes a condition name');
        return this.namedCondition(name, value, 'Condition');
      }
    }
    const r = this.value(value);
    if (typeof r === 'boolean') return r;
    if (r === 'true' || r === 'false') return r === 'true';
    throw this.fail(parent, key, `a condition must evaluate to true or false (Fn::Equals, Fn::And, ...), got ${describe(r)}`);
  }

  private conditionList(value: TemplateValue, node: TemplateMap, key: string): boolean[] {
    if (!Array.isArray(value) || value.length < 1) throw this.failAt(node, `${key} takes a list of conditions`);
    return value.map((c, i) => this.conditionValue(c, value, i));
  }

  private readonly intrinsics: Record<string, Intrinsic> = {
    Ref: (arg, node) => {
      if (typeof arg !== 'string') throw this.failAt(node, 'Ref takes the name of a parameter or resource');
      return this.ref(arg, node);
    },
    'Fn::GetAtt': (arg, node) => {
      const parts = typeof arg === 'string' ? arg.split(/\.(.*)/s).slice(0, 2) : arg;
      if (!Array.isArray(parts) || parts.length !== 2) {
        throw this.failAt(node, 'Fn::GetAtt takes [LogicalId, Attribute] or "LogicalId.Attribute"');
      }
      const logicalId = this.string(parts[0], node, 'Fn::GetAtt logical id');
      const attribute = this.string(parts[1], node, 'Fn::GetAtt attribute');
      return this.getAtt(logicalId, attribute, node);
    },
    'Fn::Sub': (arg, node, key) => {
      if (typeof arg === 'string') return this.sub(arg, {}, node);
      const [template, variables] = this.args(arg, node, key, 2, '"string" or [string, {Var: value}]');
      if (typeof template !== 'string' || variables === null || typeof variables !== 'object' || Array.isArray(variables)) {
        throw this.failAt(node, 'Fn::Sub takes "string" or [string, {Var: value}]');
      }
      return this.sub(template, variables, node);
    },
    'Fn::If': (arg, node, key) => {
      const [name, whenTrue, whenFalse] = this.args(arg, node, key, 3, '[ConditionName, valueIfTrue, valueIfFalse]');
      if (typeof name !== 'string') throw this.failAt(node, 'Fn::If takes a condition name first');
      return this.value(this.namedCondition(name, node) ? whenTrue : whenFalse);
    },
    'Fn::Join': (arg, node, key) => {
      const [delimiter, items] = this.args(arg, node, key, 2, '[delimiter, [values...]]');
      const list = this.list(items, node, 'Fn::Join values');
      const sep = this.string(delimiter, node, 'Fn::Join delimiter');
      return list.map((item) => this.string(item, node, 'each Fn::Join value')).join(sep);
    },
    'Fn::Select': (arg, node, key) => {
      const [index, items] = this.args(arg, node, key, 2, '[index, [values...]]');
      const i = Number(this.string(index, node, 'Fn::Select index'));
      const list = this.list(items, node, 'Fn::Select values');
      if (!Number.isInteger(i) || i < 0 || i >= list.length) {
        throw this.failAt(node, `Fn::Select index ${i} is outside the list of ${list.length} values`);
      }
      return list[i];
    },
    'Fn::Split': (arg, node, key) => {
      const [delimiter, source] = this.args(arg, node, key, 2, '[delimiter, string]');
      return this.string(source, node, 'Fn::Split source').split(this.string(delimiter, node, 'Fn::Split delimiter'));
    },
    'Fn::Base64': (arg, node) => Buffer.from(this.string(arg, node, 'Fn::Base64 value')).toString('base64'),
    'Fn::FindInMap': (arg, node) => {
      if (!Array.isArray(arg) || arg.length < 3) throw this.failAt(node, 'Fn::FindInMap takes [MapName, TopLevelKey, SecondLevelKey]');
      const [mapName, top, second] = arg.slice(0, 3).map((a) => this.string(a, node, 'each Fn::FindInMap key'));
      const map = this.scope.mappings[mapName];
      if (map === undefined || map === null || typeof map !== 'object' || Array.isArray(map)) {
        throw this.failAt(node, `Fn::FindInMap: there is no mapping ${mapName} under Mappings`);
      }
      const level = map[top];
      const found = level !== null && typeof level === 'object' && !Array.isArray(level) ? level[second] : undefined;
      if (found === undefined) throw this.failAt(node, `Fn::FindInMap: mapping ${mapName} has no entry ${top}.${second}`);
      return found;
    },
    'Fn::GetAZs': (arg, node) => {
      const region = this.string(arg, node, 'Fn::GetAZs region') || this.scope.pseudoParameters['AWS::Region'];
      return ['a', 'b', 'c'].map((zone) => `${region}${zone}`);
    },
    'Fn::ImportValue': (arg, node) => {
      const name = this.string(arg, node, 'Fn::ImportValue name');
      return this.unresolved(node, `Fn::ImportValue ${name}`, name);
    },
    'Fn::Cidr': (_arg, node) => this.unresolved(node, 'Fn::Cidr', '10.0.0.0/24'),
    'Fn::Transform': (_arg, node) => this.unresolved(node, 'Fn::Transform', ''),
    'Fn::Length': (arg, node) => this.list(arg, node, 'Fn::Length value').length,
    'Fn::ToJsonString': (arg) => JSON.stringify(this.value(arg)),
    'Fn::Equals': (arg, node, key) => {
      const [a, b] = this.args(arg, node, key, 2, '[value1, value2]').map((v) => this.value(v));
      // Parameters are strings, literals may be numbers: CloudFormation compares them as strings.
      return typeof a === 'object' || typeof b === 'object' ? JSON.stringify(a) === JSON.stringify(b) : String(a) === String(b);
    },
    'Fn::And': (arg, node, key) => this.conditionList(arg, node, key).every(Boolean),
    'Fn::Or': (arg, node, key) => this.conditionList(arg, node, key).some(Boolean),
    'Fn::Not': (arg, node, key) => {
      const [inner] = this.args(arg, node, key, 1, '[condition]');
      return !this.conditionValue(inner, arg, 0);
    },
  };
}

function resourceType(resource: TemplateValue): string {
  const type = resource !== null && typeof resource === 'object' && !Array.isArray(resource) ? resource.Type : undefined;
  return typeof type === 'string' ? type : 'resource';
}

function describe(value: Resolved): string {
  if (value === NO_VALUE) return 'AWS::NoValue';
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'a map' : JSON.stringify(value);
}
