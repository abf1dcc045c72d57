/**
 * A deterministic value that satisfies a schema: Gemini's OpenAPI subset (`responseSchema`, function
 * `parameters`) or JSON Schema (`responseJsonSchema`, `parametersJsonSchema`). This is how the simulator
 * "decides" function arguments and structured output.
 */
type Schema = Record<string, unknown>;

const isObject = (value: unknown): value is Schema => typeof value === 'object' && value !== null && !Array.isArray(value);

const typeOf = (schema: Schema): string | undefined => {
  const declared = Array.isArray(schema['type']) ? schema['type'].find((type) => type !== 'null') : schema['type'];
  if (typeof declared === 'string') return declared.toUpperCase();
  if (isObject(schema['properties'])) return 'OBJECT';
  if (schema['items'] !== undefined) return 'ARRAY';
  return undefined;
};

const sampleString = (schema: Schema, name: string): string => {
  if (schema['format'] === 'date-time') return '2025-01-01T00:00:00Z';
  if (schema['format'] === 'date') return '2025-01-01';
  const base = name ? `sample ${name}` : 'sample';
  const min = typeof schema['minLength'] === 'number' ? schema['minLength'] : 0;
  const max = typeof schema['maxLength'] === 'number' ? schema['maxLength'] : Infinity;
  return base.padEnd(min, 'x').slice(0, max);
};

const sampleNumber = (schema: Schema, integer: boolean): number => {
  const minimum = typeof schema['minimum'] === 'number' ? schema['minimum'] : undefined;
  const maximum = typeof schema['maximum'] === 'number' ? schema['maximum'] : undefined;
  let value = minimum ?? (maximum !== undefined && maximum < 1 ? maximum : 1);
  if (integer) value = Math.ceil(value);
  return value;
};

export const sampleSchema = (root: Schema): unknown => {
  const resolve = (ref: string): Schema => {
    let node: unknown = root;
    for (const token of ref.replace(/^#\/?/, '').split('/').filter(Boolean)) node = isObject(node) ? node[token] : undefined;
    return isObject(node) ? node : {};
  };

  const sample = (schema: Schema, name: string, depth: number): unknown => {
    if (typeof schema['$ref'] === 'string') return depth > 8 ? null : sample(resolve(schema['$ref']), name, depth + 1);
    if ('const' in schema) return schema['const'];
    if (Array.isArray(schema['enum']) && schema['enum'].length > 0) return schema['enum'][0];
    const branches = schema['anyOf'] ?? schema['oneOf'];
    if (Array.isArray(branches) && branches.length > 0 && typeOf(schema) === undefined) {
      const branch = branches.find((candidate) => isObject(candidate) && candidate['type'] !== 'null') ?? branches[0];
      return sample(isObject(branch) ? branch : {}, name, depth + 1);
    }
    switch (typeOf(schema)) {
      case 'STRING':
        return sampleString(schema, name);
      case 'NUMBER':
        return sampleNumber(schema, false);
      case 'INTEGER':
        return sampleNumber(schema, true);
      case 'BOOLEAN':
        return true;
      case 'NULL':
        return null;
      case 'ARRAY': {
        const count = Math.max(1, typeof schema['minItems'] === 'number' ? schema['minItems'] : 1);
        const items = isObject(schema['items']) ? schema['items'] : {};
        return Array.from({ length: count }, () => sample(items, name, depth + 1));
      }
      case 'OBJECT': {
        const properties = isObject(schema['properties']) ? schema['properties'] : {};
        return Object.fromEntries(Object.entries(properties).map(([key, property]) => [key, sample(isObject(property) ? property : {}, key, depth + 1)]));
      }
      default:
        return name ? `sample ${name}` : 'sample';
    }
  };

  return sample(root, '', 0);
};
