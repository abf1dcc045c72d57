import type { StreamError } from '../../layers/providers/types.ts';
import { dataFrame, eventFrame } from '../../layers/core/sse/encode.ts';
import type { ResolvedModel } from './resolved-model.ts';

/**
 * Native routes speak OpenAI plus Compose events (receipts, structured errors); external routes serve clients
 * that know only OpenAI's shapes, so they get no `compose.*` event and no receipt, but diagnostic headers.
 */
export type Surface = 'native' | 'external';

const errorBody = (error: StreamError) => ({ error: { message: error.message, type: 'api_error', code: error.code } });

/** An error after the first byte: a Compose event natively, OpenAI's in-band `{error}` data frame externally. */
export const streamErrorFrame = (surface: Surface, error: StreamError): string =>
  surface === 'native' ? eventFrame('compose.error', errorBody(error)) : dataFrame(errorBody(error));

export const diagnosticHeaders = (surface: Surface, model: Pick<ResolvedModel, 'publicId' | 'provider' | 'wireModel'>): Record<string, string> =>
  surface === 'external'
    ? { 'x-compose-public-model': model.publicId, 'x-compose-upstream-provider': model.provider, 'x-compose-upstream-model': model.wireModel }
    : {};

/**
 * The request header that opts a native Responses stream in to `compose.*` named events (receipt, video status,
 * errors). Without it a Responses stream carries only OpenAI's event types, since the OpenAI SDKs' Responses
 * stream accumulators reject an event type they do not know; the receipt is in `response.completed` anyway.
 */
export const COMPOSE_EVENTS_HEADER = 'x-compose-events';

export const wantsComposeEvents = (headers: Readonly<Record<string, string>>): boolean => /^(true|1|yes)$/i.test(headers[COMPOSE_EVENTS_HEADER]?.trim() ?? '');

/**
 * Whether a stream carries `compose.*` events: native chat and media streams always do (after `[DONE]`, where
 * OpenAI SDKs have stopped reading); native Responses streams when the request opted in; external ones never.
 */
export const composeEventsOn = (surface: Surface, api: 'chat' | 'responses' | 'media', headers: Readonly<Record<string, string>>): boolean =>
  surface === 'native' && (api !== 'responses' || wantsComposeEvents(headers));
