import { callerFromCredential, type Caller } from '../auth/caller.ts';
import type { Operation } from '../http/handler.ts';
import { readJsonObject, type HttpRequest } from '../http/request.ts';
import { json } from '../http/response.ts';
import { idempotently } from './idempotent.ts';
import { parseChatRequest, parseResponsesRequest, type TextRequest } from './request/text-request.ts';
import { serveText } from './run-text.ts';
import type { TextServices } from './services.ts';
import type { Surface } from './surface.ts';

/** Decides who is calling (and, once payments are wired, authorizes the call). */
export type Authorize = (http: HttpRequest) => Promise<Caller> | Caller;

const create =
  (parse: (body: Record<string, unknown>) => TextRequest, services: TextServices, authorize: Authorize, surface: Surface): Operation =>
  async (http) => {
    const body = readJsonObject(http);
    const request = parse(body);
    const caller = await authorize(http);
    return idempotently(http, caller, JSON.stringify(body), services.idempotency, (onFinished) =>
      serveText({ http, request, caller, onFinished, surface }, services),
    );
  };

/** The text routes' operations, shared by the native family and the external mirror. */
export const createTextOperations = (services: TextServices, authorize: Authorize = callerFromCredential, surface: Surface = 'native') => ({
  'chat.create': create(parseChatRequest, services, authorize, surface),
  'responses.create': create(parseResponsesRequest, services, authorize, surface),
  'responses.get': async (http: HttpRequest) => {
    const caller = await authorize(http);
    const stored = await services.responses.get(http.pathParameters.responseId!, caller.id);
    return json(200, stored.response);
  },
  'responses.inputItems': async (http: HttpRequest) => {
    const caller = await authorize(http);
    const id = http.pathParameters.responseId!;
    const stored = await services.responses.get(id, caller.id);
    const data = stored.inputItems.map((item, i) => ({ id: (item.id as string | undefined) ?? `${id}_input_${i}`, ...item }));
    return json(200, { object: 'list', data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: false });
  },
  'responses.cancel': async (http: HttpRequest) => {
    const caller = await authorize(http);
    const id = http.pathParameters.responseId!;
    await services.responses.cancel(id, caller.id);
    const stored = await services.responses.get(id, caller.id);
    return json(200, { ...stored.response, status: 'cancelled' });
  },
});
