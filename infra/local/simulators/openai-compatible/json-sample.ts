/**
 * A deterministic JSON value that validates against a JSON Schema: how the simulator "decides" tool-call
 * arguments and structured output. Handles the subset OpenAI structured outputs use (objects, arrays,
 * enums, const, anyOf/oneOf, $ref into $defs, nullable types, string formats and length/number bounds).
 * `hints` (from `name=value` in the user's text) fill string and number properties by name.
 */
type Schema = Record<string, unknown>;

const isSchema = (value: unknown): value is Schema => typeof value === 'object' && value !== null && !Array.isArray(value);

const resolveRef = (schema: Schema, root: Schema): Schema => {
  const ref = schema['$ref'];
  if (typeof ref !== 'string' || !ref.startsWith('#/')) return schema;
  let target: unknown = root;
  for (const segment of ref.slice(2).split('/')) target = isSchema(target) ? target[segment.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
  return isSchema(target) ? target : {};
};

const typeOf = (schema: Schema): string | undefined => {
  const declared = Array.isArray(schema['type']) ? schema['type'].find((type) => type !== 'null') : schema['type'];
  if (typeof declared === 'string') return declared;
  if (isSchema(schema['properties'])) return 'object';
  if (schema['items'] !== undefined) return 'array';
  return undefined;
};

const sampleString = (schema: Schema, name: string, hints: Readonly<Record<string, string>>): string => {
  if (schema['format'] === 'date-time') return '2025-01-01T00:00:00Z';
  if (schema['format'] === 'date') return '2025-01-01';
  if (schema['format'] === 'email') return 'sample@example.com';
  if (schema['format'] === 'uri') return 'https://example.com/';
  if (schema['format'] === 'uuid') return '00000000-0000-4000-8000-000000000000';
  const base = hints[name] ?? (name ? `sample ${name}` : 'sample');
  const min = typeof schema['minLength'] === 'number' ? schema['minLength'] : 0;
  const max = typeof schema['maxLength'] === 'number' ? schema['maxLength'] : Infinity;
  return base.padEnd(min, 'x').slice(0, max);
};

const sampleNumber = (schema: Schema, name: string, hints: Readonly<Record<string, string>>, integer: boolean): number => {
  const hinted = Number(hints[name]);
  const minimum = typeof schema['minimum'] === 'number' ? schema['minimum'] : typeof schema['exclusiveMinimum'] === 'number' ? schema['exclusiveMinimum'] + 1 : undefined;
  const maximum = typeof schema['maximum'] === 'number' ? schema['maximum'] : typeof schema['exclusiveMaximum'] === 'number' ? schema['exclusiveMaximum'] - 1 : undefined;
  let value = hints[name] !== undefined && Number.isFinite(hinted) ? hinted : (minimum ?? 1);
  if (minimum !== undefined) value = Math.max(value, minimum);
  if (maximum !== undefined) value = Math.min(value, maximum);
  return integer ? Math.ceil(value) : value;
};

export const sampleJson = (schema: unknown, hints: Readonly<Record<string, string>> = {}, root?: Schema, name = '', depth = 0): unknown => {
  if (!isSchema(schema) || depth > 12) return null;
  const rootSchema = root ?? schema;
  const resolved = resolveRef(schema, rootSchema);
  if ('const' in resolved) return resolved['const'];
  if (Array.isArray(resolved['enum']) && resolved['enum'].length > 0) return resolved['enum'][0];
  const variants = resolved['anyOf'] ?? resolved['oneOf'];
  if (Array.isArray(variants) && variants.length > 0) {
    // Prefer a non-null variant, so optional-by-nullable fields still carry a value.
    const preferred = variants.find((variant) => isSchema(variant) && variant['type'] !== 'null') ?? variants[0];
    return sampleJson(preferred, hints, rootSchema, name, depth + 1);
  }
  if (Array.isArray(resolved['allOf']) && resolved['allOf'].length > 0) return sampleJson(resolved['allOf'][0], hints, rootSchema, name, depth + 1);
  switch (typeOf(resolved)) {
    case 'object': {
      const properties = isSchema(resolved['properties']) ? resolved['properties'] : {};
      return Object.fromEntries(Object.entries(properties).map(([key, value]) => [key, sampleJson(value, hints, rootSchema, key, depth + 1)]));
    }
    case 'array': {
      const count = Math.max(1, typeof resolved['minItems'] === 'number' ? resolved['minItems'] : 1);
      const limited = typeof resolved['maxItems'] === 'number' ? Math.min(count, resolved['maxItems']) : count;
      return Array.from({ length: limited }, () => sampleJson(resolved['items'], hints, rootSchema, name, depth + 1));
    }
    case 'string':
      return sampleString(resolved, name, hints);
    case 'integer':
      return sampleNumber(resolved, name, hints, true);
    case 'number':
      return sampleNumber(resolved, name, hints, false);
    case 'boolean':
      return hints[name] !== undefined ? hints[name] === 'true' : true;
    case 'null':
      return null;
    default:
      return {};
  }
};

/** `city=Paris` / `count: 3` pairs in free text, for filling arguments by property name. */
export const hintsFromText = (text: string): Record<string, string> =>
  Object.fromEntries([...text.matchAll(/\b([A-Za-z_][\w-]*)\s*[=:]\s*("([^"]*)"|[^\s,;]+)/g)].map((match) => [match[1] ?? '', match[3] ?? match[2] ?? '']));
