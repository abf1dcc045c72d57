/** `@google/genai` clients pointed at loopback simulators, for the SDK and wire tests. */
import { GoogleGenAI } from '@google/genai';

/** The Gemini API client: `httpOptions.baseUrl` is the simulator's origin; the SDK adds `/v1beta`. */
export const geminiClient = (baseUrl: string, apiKey: string): GoogleGenAI => new GoogleGenAI({ apiKey, httpOptions: { baseUrl, apiVersion: 'v1beta' } });

/** A Vertex client whose auth client hands out the simulator's token instead of looking for Google credentials. */
export const vertexClient = (baseUrl: string, project: string, bearer: () => string): GoogleGenAI =>
  new GoogleGenAI({
    vertexai: true,
    project,
    location: 'us-central1',
    httpOptions: { baseUrl, apiVersion: 'v1' },
    googleAuthOptions: {
      authClient: { getRequestHeaders: async () => new Headers({ authorization: `Bearer ${bearer()}` }) } as never,
    },
  });

