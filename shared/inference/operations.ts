import type { Billing, Surface } from '../billing/types.ts';
import type { Operation } from '../http/handler.ts';
import { readJsonObject, type HttpRequest } from '../http/request.ts';
import { json } from '../http/response.ts';
import { paidIdempotently } from '../calls/idempotent.ts';
import type { MediaResponses } from './media-responses/index.ts';
import { priceText } from './price.ts';
import { fromInputItems } from './request/responses-input.ts';
import { parseChatRequest, parseResponsesRequest, type TextRequest } from './request/text-request.ts';
import { serveText } from './run-text.ts';
import type { TextServices } from './services.ts';

/**
 * The order keeps money and data safe: prove the caller (no I/O for keys), read their history, price the call,
 * hold the worst case, then run at most once per idempotency key. A replay releases the hold: it is free.
 */
const create =
  (parse: (body: Record<string, unknown>) => TextRequest, services: TextServices, billing: Billing, surface: Surface): Operation =>
  async (http) => {
    // The caller is proven before the body is read, as OpenAI does: a bad key gets its 401 whatever the body says.
    const payer = await billing.identify(http, surface);
    const body = readJsonObject(http);
    const request = parse(body);
    const model = services.resolveTextModel(request.model, request.provider);
    const history = request.previousResponseId ? (await services.responses.get(request.previousResponseId, payer.caller.id)).conversation : [];
    const input = request.api === 'responses' ? fromInputItems(request.inputItems) : request.canonical.messages;
    const price = priceText(http, model, request, history);
    return paidIdempotently(http, payer, price, JSON.stringify(body), services.idempotency, (payment, onFinished, onAbandoned) =>
      serveText({ http, request, caller: payer.caller, model, history, input, payment, outputCap: payment.outputCap ?? price.quote.bounds?.outputTokens, onFinished, onAbandoned, surface }, services),
    );
  };

/** Reads of stored responses need only the caller, never a payment. */
const owner = (http: HttpRequest, billing: Billing, surface: Surface) => billing.owner(http, surface);

/**
 * Async jobs that `POST /v1/responses/{id}/cancel` also cancels (video generations): the route's contract is
 * "cancels a response or async job". Given by the function that wires them; text alone needs none.
 */
export interface AsyncJobCanceller {
  handles(id: string): boolean;
  cancel(id: string, owner: string): Promise<Record<string, unknown>>;
}

/** The text routes' operations, shared by the native family and the external mirror. */
export const createTextOperations = (services: TextServices, billing: Billing, surface: Surface = 'native', asyncJobs?: AsyncJobCanceller, media?: MediaResponses) => {
  const responsesText = create(parseResponsesRequest, services, billing, surface);
  return {
    'chat.create': create(parseChatRequest, services, billing, surface),
    // A body asking for media (`modalities`: image, audio, embedding, video...) goes to the media path.
    'responses.create': ((http, context) => (media?.handles(http) ? media.create(http, context) : responsesText(http, context))) as Operation,
    'responses.get': async (http: HttpRequest) => {
      const caller = await owner(http, billing, surface);
      const stored = await services.responses.get(http.pathParameters.responseId!, caller.id);
      // A media response that is an async job (video) answers with the job's state now.
      const response = media ? await media.current(stored, caller.id) : stored.response;
      // External clients get OpenAI's shapes only: a response created natively loses its receipt there.
      if (surface === 'external') {
        const { receipt: _receipt, ...openAI } = response;
        return json(200, openAI);
      }
      return json(200, response);
    },
    'responses.inputItems': async (http: HttpRequest) => {
      const caller = await owner(http, billing, surface);
      const id = http.pathParameters.responseId!;
      const stored = await services.responses.get(id, caller.id);
      const data = stored.inputItems.map((item, i) => ({ id: (item.id as string | undefined) ?? `${id}_input_${i}`, ...item }));
      return json(200, { object: 'list', data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: false });
    },
    // OpenAI's answer to a delete: the id, the object, and `deleted: true`.
    'responses.delete': async (http: HttpRequest) => {
      const caller = await owner(http, billing, surface);
      const id = http.pathParameters.responseId!;
      await services.responses.remove(id, caller.id);
      return json(200, { id, object: 'response', deleted: true });
    },
    'responses.cancel': async (http: HttpRequest) => {
      const caller = await owner(http, billing, surface);
      const id = http.pathParameters.responseId!;
      if (asyncJobs?.handles(id)) return json(200, await asyncJobs.cancel(id, caller.id));
      // A video response is cancelled through its job (and the job's money policy), by the response's own id.
      const cancelledJob = media ? await media.cancel(await services.responses.get(id, caller.id), caller.id) : undefined;
      if (cancelledJob) return json(200, cancelledJob);
      await services.responses.cancel(id, caller.id);
      const stored = await services.responses.get(id, caller.id);
      return json(200, { ...stored.response, status: 'cancelled' });
    },
  };
};
