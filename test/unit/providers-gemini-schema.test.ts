import { describe, expect, it } from 'vitest';
import { convertJsonSchema } from '../../layers/providers/gemini/convert-schema.ts';
import { THINKING_BUDGETS, thinkingConfigFor } from '../../layers/providers/gemini/thinking.ts';

describe('JSON Schema → Gemini schema', () => {
  it('spells types as Gemini’s Type enum and keeps the keywords Gemini has', () => {
    expect(
      convertJsonSchema({
        type: 'object',
        title: 'Order',
        properties: {
          id: { type: 'string', pattern: '^o_', minLength: 3, maxLength: 9 },
          at: { type: 'string', format: 'date-time' },
          qty: { type: 'integer', minimum: 1, maximum: 9, default: 1 },
          lines: { type: 'array', items: { type: 'number', format: 'double' }, minItems: 1, maxItems: 5 },
          paid: { type: 'boolean', description: 'settled?' },
        },
        required: ['id', 'missing'],
      }),
    ).toEqual({
      schema: {
        type: 'OBJECT',
        title: 'Order',
        properties: {
          id: { type: 'STRING', pattern: '^o_', minLength: 3, maxLength: 9 },
          at: { type: 'STRING', format: 'date-time' },
          qty: { type: 'INTEGER', minimum: 1, maximum: 9, default: 1 },
          lines: { type: 'ARRAY', items: { type: 'NUMBER', format: 'double' }, minItems: 1, maxItems: 5 },
          paid: { type: 'BOOLEAN', description: 'settled?' },
        },
        required: ['id'],
      },
      dropped: [],
    });
  });

  it('turns null unions into nullable, several types into anyOf, and const into a one-value enum', () => {
    expect(convertJsonSchema({ type: ['string', 'null'] }).schema).toEqual({ type: 'STRING', nullable: true });
    expect(convertJsonSchema({ anyOf: [{ type: 'integer' }, { type: 'null' }] }).schema).toEqual({ type: 'INTEGER', nullable: true });
    expect(convertJsonSchema({ type: ['string', 'number'] }).schema).toEqual({ anyOf: [{ type: 'STRING' }, { type: 'NUMBER' }] });
    expect(convertJsonSchema({ const: 'fixed' }).schema).toEqual({ type: 'STRING', enum: ['fixed'] });
  });

  it('inlines local $refs with their sibling keywords and drops recursive ones', () => {
    const { schema, dropped } = convertJsonSchema({
      type: 'object',
      properties: { home: { $ref: '#/$defs/address', description: 'Where they live' }, tree: { $ref: '#/$defs/node' } },
      $defs: {
        address: { type: 'object', properties: { city: { type: 'string' } } },
        node: { type: 'object', properties: { child: { $ref: '#/$defs/node' }, label: { type: 'string' } } },
      },
    });
    expect(schema?.properties?.['home']).toEqual({ type: 'OBJECT', properties: { city: { type: 'STRING' } }, description: 'Where they live' });
    expect(schema?.properties?.['tree']).toEqual({ type: 'OBJECT', properties: { label: { type: 'STRING' } } });
    expect(dropped).toEqual(['$ref (recursive)']);
  });

  it('reports what it drops, and drops additionalProperties:false and annotations silently', () => {
    const { schema, dropped } = convertJsonSchema({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      properties: { n: { type: 'number', exclusiveMinimum: 0, multipleOf: 2 }, e: { enum: [1, 2] }, s: { type: 'string', format: 'uuid' } },
      additionalProperties: false,
      examples: [{}],
      oneOf: [{ required: ['n'] }],
    });
    expect(schema).toMatchObject({ type: 'OBJECT', properties: { n: { type: 'NUMBER' }, e: {}, s: { type: 'STRING' } } });
    expect(dropped).toEqual(['exclusiveMinimum', 'multipleOf', 'enum', 'format: uuid', 'oneOf (treated as anyOf)']);
  });
});

describe('reasoning → thinkingConfig', () => {
  it.each(Object.entries(THINKING_BUDGETS))('effort %s → budget %d', (effort, budget) => {
    expect(thinkingConfigFor({ effort }, {})).toEqual({ thinkingConfig: { thinkingBudget: budget }, warnings: [] });
  });

  it('asks for thought summaries when a summary is requested, and not for summary none', () => {
    expect(thinkingConfigFor({ summary: 'auto' }, {}).thinkingConfig).toEqual({ includeThoughts: true });
    expect(thinkingConfigFor({ summary: 'none' }, {}).thinkingConfig).toEqual({ includeThoughts: false });
  });

  it('lets explicit provider extras override the mapping', () => {
    expect(thinkingConfigFor({ effort: 'high', summary: 'auto' }, { thinkingBudget: -1, includeThoughts: false }).thinkingConfig).toEqual({
      thinkingBudget: -1,
      includeThoughts: false,
    });
  });

  it('sends no thinkingConfig when nothing was asked', () => {
    expect(thinkingConfigFor(undefined, {})).toEqual({ thinkingConfig: undefined, warnings: [] });
  });
});
