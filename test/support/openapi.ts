import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { expect } from 'vitest';

/** Validates bodies against the project's own OpenAPI document (never the reference copy outside the repo). */
const document = JSON.parse(readFileSync(new URL('../../openapi/generated/openapi.json', import.meta.url), 'utf8')) as {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }>; $ref?: string }> }>>;
  components: { responses: Record<string, { content?: Record<string, { schema: unknown }> }> };
};

const ajv = new Ajv2020({ strict: false, allErrors: true });
(addFormats as unknown as (a: Ajv2020) => void)(ajv);
ajv.addSchema(document, 'openapi');

const pointer = (...segments: string[]): string => segments.map((s) => s.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');

const schemaRef = (path: string, method: string, status: number, mediaType: string): string => {
  const operation = document.paths[path]?.[method.toLowerCase()];
  if (!operation) throw new Error(`the OpenAPI document has no ${method} ${path}`);
  const response = operation.responses[String(status)] ?? operation.responses.default;
  if (!response) throw new Error(`${method} ${path} documents no ${status} response`);
  if (response.$ref) {
    const name = response.$ref.split('/').at(-1)!;
    if (!document.components.responses[name]?.content?.[mediaType]) throw new Error(`${response.$ref} has no ${mediaType} body`);
    return `openapi#/${pointer('components', 'responses', name, 'content', mediaType, 'schema')}`;
  }
  if (!response.content?.[mediaType]) throw new Error(`${method} ${path} ${status} documents no ${mediaType} body`);
  return `openapi#/${pointer('paths', path, method.toLowerCase(), 'responses', String(status), 'content', mediaType, 'schema')}`;
};

/** Asserts that `body` is what the document promises for this operation and status. */
export const expectMatchesContract = (path: string, method: string, status: number, body: unknown, mediaType = 'application/json'): void => {
  const validate = ajv.getSchema(schemaRef(path, method, status, mediaType)) ?? ajv.compile({ $ref: schemaRef(path, method, status, mediaType) });
  const valid = validate(body);
  expect(valid ? [] : validate.errors, `${method} ${path} ${status} does not match the OpenAPI document`).toEqual([]);
};

/** Asserts that `body` matches one of the document's component schemas, for answers no operation documents (404, 405). */
export const expectMatchesSchema = (name: string, body: unknown): void => {
  const ref = `openapi#/${pointer('components', 'schemas', name)}`;
  const validate = ajv.getSchema(ref) ?? ajv.compile({ $ref: ref });
  const valid = validate(body);
  expect(valid ? [] : validate.errors, `the body does not match components.schemas.${name}`).toEqual([]);
};
