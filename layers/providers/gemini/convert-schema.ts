/**
 * JSON Schema → Gemini's schema (an OpenAPI 3.0 subset). Local `$ref`s are inlined, `type: [x, "null"]`
 * and null branches become `nullable`, `const` becomes a one-value enum. Keywords Gemini cannot express are
 * dropped and reported, so the caller can warn instead of failing or silently loosening the contract.
 */
import type { GeminiSchema } from './wire.ts';

type JsonObject = Record<string, unknown>;

const TYPES = { string: 'STRING', number: 'NUMBER', integer: 'INTEGER', boolean: 'BOOLEAN', array: 'ARRAY', object: 'OBJECT' } as const;

const FORMATS: Record<string, readonly string[]> = { STRING: ['enum', 'date-time'], NUMBER: ['float', 'double'], INTEGER: ['int32', 'int64'] };

const COPIED = ['title', 'description', 'minItems', 'maxItems', 'minProperties', 'maxProperties', 'minLength', 'maxLength', 'pattern', 'minimum', 'maximum', 'default', 'example', 'propertyOrdering'] as const;

/** Annotations and keywords handled elsewhere or with no effect on generation: ignored without a warning. */
const SILENT = new Set(['$schema', '$id', '$comment', '$defs', 'definitions', 'examples', 'readOnly', 'writeOnly', 'deprecated', 'nullable', 'type', 'format', 'enum', 'const', 'properties', 'required', 'items', 'anyOf', 'oneOf', 'allOf', '$ref']);

const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

export interface SchemaConversion {
  readonly schema: GeminiSchema | undefined;
  /** JSON Schema keywords that were dropped, for a warning. */
  readonly dropped: readonly string[];
}

export const convertJsonSchema = (root: JsonObject): SchemaConversion => {
  const dropped = new Set<string>();

  const resolve = (ref: string): unknown => {
    if (!ref.startsWith('#')) return undefined;
    let node: unknown = root;
    for (const token of ref.slice(1).split('/').filter(Boolean)) {
      node = isObject(node) ? node[token.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
    }
    return node;
  };

  const convertBranches = (branches: unknown[], refs: readonly string[], out: GeminiSchema): void => {
    const converted: GeminiSchema[] = [];
    for (const branch of branches) {
      if (isObject(branch) && branch['type'] === 'null') out.nullable = true;
      else {
        const schema = convert(branch, refs);
        if (schema) converted.push(schema);
      }
    }
    if (converted.length === 1) Object.assign(out, converted[0]);
    else if (converted.length > 1) out.anyOf = converted;
  };

  const convert = (input: unknown, refs: readonly string[]): GeminiSchema | undefined => {
    if (input === true || (isObject(input) && Object.keys(input).length === 0)) return {};
    if (!isObject(input)) return undefined;
    const node = input;
    const ref = node['$ref'];
    if (typeof ref === 'string') {
      const target = resolve(ref);
      if (refs.includes(ref) || !isObject(target)) {
        dropped.add(refs.includes(ref) ? '$ref (recursive)' : '$ref');
        return undefined;
      }
      const { $ref: _ref, ...siblings } = node;
      const inner = convert(target, [...refs, ref]);
      if (!inner) return undefined;
      const outer = convert(siblings, refs) ?? {};
      return { ...inner, ...outer };
    }

    const out: GeminiSchema = {};
    const types = (Array.isArray(node['type']) ? node['type'] : node['type'] === undefined ? [] : [node['type']]) as unknown[];
    if (types.includes('null') || node['nullable'] === true) out.nullable = true;
    const known = types.filter((type): type is keyof typeof TYPES => typeof type === 'string' && type in TYPES);
    if (known.length === 1) out.type = TYPES[known[0]!];
    else if (known.length > 1) out.anyOf = known.map((type) => ({ type: TYPES[type] }));

    for (const key of COPIED) if (node[key] !== undefined) (out as Record<string, unknown>)[key] = node[key];

    if (typeof node['format'] === 'string') {
      if (out.type && FORMATS[out.type]?.includes(node['format'])) out.format = node['format'];
      else dropped.add(`format: ${node['format']}`);
    }
    const values = node['const'] !== undefined ? [node['const']] : node['enum'];
    if (Array.isArray(values)) {
      if (values.every((value) => typeof value === 'string')) {
        out.type ??= 'STRING';
        out.enum = values;
      } else dropped.add(node['const'] !== undefined ? 'const' : 'enum');
    }
    if (isObject(node['properties'])) {
      out.properties = {};
      for (const [name, property] of Object.entries(node['properties'])) {
        const schema = convert(property, refs);
        if (schema) out.properties[name] = schema;
      }
      const required = Array.isArray(node['required']) ? node['required'].filter((name) => typeof name === 'string' && out.properties?.[name]) : [];
      if (required.length > 0) out.required = required;
    }
    if (node['items'] !== undefined) {
      const items = isObject(node['items']) ? convert(node['items'], refs) : undefined;
      if (items) out.items = items;
      else dropped.add('items (tuple)');
    }
    if (Array.isArray(node['anyOf'])) convertBranches(node['anyOf'], refs, out);
    if (Array.isArray(node['oneOf'])) {
      dropped.add('oneOf (treated as anyOf)');
      convertBranches(node['oneOf'], refs, out);
    }
    if (Array.isArray(node['allOf'])) {
      if (node['allOf'].length === 1) Object.assign(out, convert(node['allOf'][0], refs));
      else dropped.add('allOf');
    }
    for (const key of Object.keys(node)) {
      if (SILENT.has(key) || (COPIED as readonly string[]).includes(key)) continue;
      // `additionalProperties: false` is what Gemini does anyway; only a schema for extra keys is lost.
      if (key === 'additionalProperties' && node[key] === false) continue;
      dropped.add(key);
    }
    return out;
  };

  return { schema: convert(root, []), dropped: [...dropped] };
};

/** Function parameters: Gemini wants no schema at all, rather than an object without properties. */
export const isEmptyObjectSchema = (schema: GeminiSchema | undefined): boolean =>
  schema === undefined || (schema.type === 'OBJECT' && Object.keys(schema.properties ?? {}).length === 0 && !schema.anyOf);
