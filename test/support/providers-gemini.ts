/** Shared by the Gemini and Vertex adapter tests: call options, part collection, schema checks. */
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { CallOptions, CanonicalMessage, StreamPart } from '../../layers/providers/types.ts';
import type { ProviderFetch } from '../../layers/providers/http/provider-response.ts';

let calls = 0;
/** A fresh request id per call, as the gateway mints: the simulators key their `-once` faults on it. */
export const callOptions = (): CallOptions => ({ signal: new AbortController().signal, requestId: `req_test_${(calls += 1)}` });

export const collect = async (parts: AsyncIterable<StreamPart>): Promise<StreamPart[]> => {
  const all: StreamPart[] = [];
  for await (const part of parts) all.push(part);
  return all;
};

export const user = (text: string): CanonicalMessage => ({ role: 'user', content: [{ type: 'text', text }] });

export const textOf = (parts: readonly StreamPart[]): string =>
  parts.flatMap((part) => (part.type === 'text-delta' ? [part.delta] : [])).join('');

export const reasoningOf = (parts: readonly StreamPart[]): string =>
  parts.flatMap((part) => (part.type === 'reasoning-delta' ? [part.delta] : [])).join('');

export const partsOfType = <T extends StreamPart['type']>(parts: readonly StreamPart[], type: T): Extract<StreamPart, { type: T }>[] =>
  parts.filter((part): part is Extract<StreamPart, { type: T }> => part.type === type);

export const finishOf = (parts: readonly StreamPart[]): Extract<StreamPart, { type: 'finish' }>['finishReason'] | undefined =>
  partsOfType(parts, 'finish').at(-1)?.finishReason;

/** A fetch that adds the simulators' fault header to every request it sends through `via` (an in-memory link's fetch). */
export const fetchWithFault =
  (fault: string, via: ProviderFetch): ProviderFetch =>
  (input, init) =>
    via(input, { ...init, headers: { ...(init?.headers as Record<string, string>), 'x-sim-fault': fault } });

export const satisfies = (schema: Record<string, unknown>, value: unknown): boolean => new Ajv2020({ strict: false }).validate(schema, value);

/** A tool schema with the JSON Schema features clients send: $defs, nullable unions, enums, strict mode. */
export const WEATHER_TOOL = {
  type: 'function',
  name: 'get_weather',
  description: 'Current weather for a city.',
  parameters: {
    type: 'object',
    properties: {
      city: { type: 'string', description: 'City name' },
      unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
      days: { type: ['integer', 'null'], minimum: 1, maximum: 7 },
      where: { $ref: '#/$defs/point' },
    },
    required: ['city', 'unit'],
    additionalProperties: false,
    $defs: { point: { type: 'object', properties: { lat: { type: 'number' }, lon: { type: 'number' } }, required: ['lat', 'lon'] } },
  },
} as const;
