/** Shared by the OpenAI-compatible adapter and simulator tests. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { CallOptions, CanonicalMessage, StreamPart } from '../../layers/providers/types.ts';
import type { ProviderFetch } from '../../layers/providers/http/provider-response.ts';

export const callOptions = (overrides: Partial<CallOptions> = {}): CallOptions => ({
  signal: new AbortController().signal,
  requestId: `req_${Math.random().toString(36).slice(2)}`,
  ...overrides,
});

export const collect = async (parts: AsyncIterable<StreamPart>): Promise<StreamPart[]> => {
  const all: StreamPart[] = [];
  for await (const part of parts) all.push(part);
  return all;
};

export const user = (text: string): CanonicalMessage => ({ role: 'user', content: [{ type: 'text', text }] });

export const partsOfType = <T extends StreamPart['type']>(parts: readonly StreamPart[], type: T): Extract<StreamPart, { type: T }>[] =>
  parts.filter((part): part is Extract<StreamPart, { type: T }> => part.type === type);

export const textOf = (parts: readonly StreamPart[]): string => partsOfType(parts, 'text-delta').map((part) => part.delta).join('');
export const reasoningOf = (parts: readonly StreamPart[]): string => partsOfType(parts, 'reasoning-delta').map((part) => part.delta).join('');
export const finishOf = (parts: readonly StreamPart[]) => partsOfType(parts, 'finish').at(-1)?.finishReason;
export const usageOf = (parts: readonly StreamPart[]) => partsOfType(parts, 'usage').at(-1)?.usage;
export const errorOf = (parts: readonly StreamPart[]) => partsOfType(parts, 'error').at(-1)?.error;

/** Reassembles streamed tool calls by index: what a serializer does with the deltas. */
export const toolCallsOf = (parts: readonly StreamPart[]): { id: string; name: string; arguments: string }[] => {
  const calls = new Map<number, { id: string; name: string; arguments: string }>();
  for (const part of partsOfType(parts, 'tool-call-delta')) {
    const call = calls.get(part.index) ?? { id: '', name: '', arguments: '' };
    calls.set(part.index, { id: part.id ?? call.id, name: part.name ?? call.name, arguments: call.arguments + part.argumentsDelta });
  }
  return [...calls.entries()].sort(([a], [b]) => a - b).map(([, call]) => call);
};

/** A fetch that adds the simulators' fault header to every request it sends through `via` (an in-memory link's fetch). */
export const fetchWithFault =
  (fault: string, via: ProviderFetch): ProviderFetch =>
  (input, init) =>
    via(input, { ...init, headers: { ...(init?.headers as Record<string, string>), 'x-sim-fault': fault } });

export const satisfies = (schema: Record<string, unknown>, value: unknown): boolean => new Ajv2020({ strict: false }).validate(schema, value);

export const WEATHER_PARAMETERS = {
  type: 'object',
  properties: {
    city: { type: 'string' },
    unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
    days: { type: ['integer', 'null'], minimum: 1, maximum: 7 },
  },
  required: ['city', 'unit', 'days'],
  additionalProperties: false,
} as const;

export interface ScriptedServer {
  readonly url: string;
  /** How many requests arrived. */
  readonly count: () => number;
  close(): Promise<void>;
}

/** A loopback server whose n-th request (0-based) is answered by `script(n, req, res)`. */
export const startScriptedServer = async (script: (attempt: number, req: IncomingMessage, res: ServerResponse) => unknown): Promise<ScriptedServer> => {
  let attempts = 0;
  const server: Server = createServer((req, res) => {
    const attempt = attempts;
    attempts += 1;
    req.resume();
    req.on('end', () => void script(attempt, req, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    count: () => attempts,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
