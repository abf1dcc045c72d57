import { ROUTES, type Route } from './routes.ts';

export type RouteMatch =
  | { readonly kind: 'route'; readonly route: Route; readonly pathParameters: Record<string, string> | null }
  | { readonly kind: 'method-not-allowed'; readonly path: string; readonly allowed: readonly string[] }
  | { readonly kind: 'not-found' };

interface CompiledPath {
  readonly path: string;
  readonly pattern: RegExp;
  readonly names: readonly string[];
  /** Literal segments count first, so `/v1/models/all` wins over `/v1/models/{model+}` as in API Gateway. */
  readonly literalSegments: number;
  readonly greedy: boolean;
}

const compile = (path: string): CompiledPath => {
  const names: string[] = [];
  let literalSegments = 0;
  let greedy = false;
  const source = path
    .split('/')
    .map((segment) => {
      const param = /^\{([A-Za-z0-9_]+)(\+?)\}$/.exec(segment);
      if (!param) {
        if (segment) literalSegments += 1;
        return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      }
      names.push(param[1]!);
      if (param[2]) {
        greedy = true;
        return '(.+)';
      }
      return '([^/]+)';
    })
    .join('/');
  return { path, pattern: new RegExp(`^${source}/?$`), names, literalSegments, greedy };
};

const byPath = new Map<string, Route[]>();
for (const r of ROUTES) byPath.set(r.path, [...(byPath.get(r.path) ?? []), r]);

const staticPaths = new Map<string, string>();
const dynamicPaths: CompiledPath[] = [];
for (const path of byPath.keys()) {
  if (path.includes('{')) dynamicPaths.push(compile(path));
  else staticPaths.set(path, path);
}
dynamicPaths.sort((a, b) => b.literalSegments - a.literalSegments || Number(a.greedy) - Number(b.greedy));

const decode = (value: string): string => {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
};

const resolve = (path: string, method: string, pathParameters: Record<string, string> | null): RouteMatch => {
  const candidates = byPath.get(path)!;
  const hit = candidates.find((r) => r.method === method);
  if (hit) return { kind: 'route', route: hit, pathParameters };
  return { kind: 'method-not-allowed', path, allowed: candidates.map((r) => r.method) };
};

/** Matches a request path against the route table the way API Gateway matches resources. */
export const matchRoute = (method: string, requestPath: string): RouteMatch => {
  const path = requestPath.length > 1 && requestPath.endsWith('/') ? requestPath.slice(0, -1) : requestPath;
  const literal = staticPaths.get(path);
  if (literal) return resolve(literal, method, null);
  for (const compiled of dynamicPaths) {
    const m = compiled.pattern.exec(path);
    if (!m) continue;
    const params: Record<string, string> = {};
    compiled.names.forEach((name, i) => {
      params[name] = decode(m[i + 1]!);
    });
    return resolve(compiled.path, method, params);
  }
  return { kind: 'not-found' };
};
