// Which route a request reaches, as API Gateway resolves it: literal segments beat path
// parameters, which beat a greedy `{proxy+}`; at equal paths an exact method beats `ANY`; an HTTP
// API's `$default` route catches what nothing else matches.
import type { RouteConfig } from '../template/httpModel';

type Segment = { kind: 'literal'; text: string } | { kind: 'param'; name: string } | { kind: 'greedy'; name: string };

interface CompiledRoute {
  route: RouteConfig;
  segments: Segment[];
}

export interface RouteMatch {
  route: RouteConfig;
  /** Decoded path parameters; `proxy` for `{proxy+}`. */
  pathParameters: Record<string, string>;
}

const RANK = { literal: 0, param: 1, greedy: 2 } as const;

function compile(path: string): Segment[] {
  return path
    .split('/')
    .filter(Boolean)
    .map((s) => {
      const m = /^\{([^}]+?)(\+)?\}$/.exec(s);
      if (!m) return { kind: 'literal', text: s };
      return m[2] ? { kind: 'greedy', name: m[1] } : { kind: 'param', name: m[1] };
    });
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export class RouteTable {
  private readonly routes: CompiledRoute[];
  private readonly fallback: RouteConfig[];

  constructor(routes: RouteConfig[]) {
    this.routes = routes.filter((r) => r.path !== '$default').map((route) => ({ route, segments: compile(route.path) }));
    this.routes.sort((a, b) => compareSpecificity(a, b));
    this.fallback = routes.filter((r) => r.path === '$default');
  }

  /** True when some route has this path (whatever its method): preflights and 403/404 choices need it. */
  pathExists(rawPath: string): boolean {
    const parts = rawPath.split('/').filter(Boolean);
    return this.routes.some((r) => matchSegments(r.segments, parts) !== undefined);
  }

  /** Methods declared on the most specific path that matches (for CORS preflights). */
  methodsFor(rawPath: string): string[] {
    const parts = rawPath.split('/').filter(Boolean);
    const hit = this.routes.find((r) => matchSegments(r.segments, parts) !== undefined);
    if (!hit) return [];
    return this.routes.filter((r) => r.route.path === hit.route.path).map((r) => r.route.method);
  }

  match(method: string, rawPath: string): RouteMatch | undefined {
    const parts = rawPath.split('/').filter(Boolean);
    for (const candidate of this.routes) {
      if (candidate.route.method !== method && candidate.route.method !== 'ANY') continue;
      const pathParameters = matchSegments(candidate.segments, parts);
      if (pathParameters) return { route: candidate.route, pathParameters };
    }
    const fallback = this.fallback.find((r) => r.method === method) ?? this.fallback.find((r) => r.method === 'ANY');
    return fallback ? { route: fallback, pathParameters: {} } : undefined;
  }
}

function matchSegments(segments: Segment[], parts: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i];
    if (s.kind === 'greedy') {
      if (i >= parts.length) return undefined;
      params[s.name] = parts.slice(i).map(decode).join('/');
      return params;
    }
    if (i >= parts.length) return undefined;
    if (s.kind === 'literal') {
      if (decode(parts[i]) !== s.text) return undefined;
    } else {
      params[s.name] = decode(parts[i]);
    }
  }
  return segments.length === parts.length ? params : undefined;
}

/** Most specific first: segment by segment literal < param < greedy, longer literal prefixes first, then exact methods before ANY. */
function compareSpecificity(a: CompiledRoute, b: CompiledRoute): number {
  const n = Math.max(a.segments.length, b.segments.length);
  for (let i = 0; i < n; i++) {
    const x = a.segments[i];
    const y = b.segments[i];
    if (!x || !y) return x ? -1 : 1;
    const d = RANK[x.kind] - RANK[y.kind];
    if (d) return d;
  }
  return Number(a.route.method === 'ANY') - Number(b.route.method === 'ANY');
}
