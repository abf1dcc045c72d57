import type { StreamError } from '../../layers/providers/types.ts';
import { dataFrame, eventFrame } from '../sse/encode.ts';
import type { ResolvedModel } from './services.ts';

/**
 * Native routes speak OpenAI plus Compose events (receipts, structured errors); external routes serve clients
 * that know only OpenAI's shapes, so they get no `compose.*` event and no receipt, but diagnostic headers.
 */
export type Surface = 'native' | 'external';

const errorBody = (error: StreamError) => ({ error: { message: error.message, type: 'api_error', code: error.code } });

/** An error after the first byte: a Compose event natively, OpenAI's in-band `{error}` data frame externally. */
export const streamErrorFrame = (surface: Surface, error: StreamError): string =>
  surface === 'native' ? eventFrame('compose.error', errorBody(error)) : dataFrame(errorBody(error));

export const diagnosticHeaders = (surface: Surface, model: ResolvedModel): Record<string, string> =>
  surface === 'external'
    ? { 'x-compose-public-model': model.publicId, 'x-compose-upstream-provider': model.provider, 'x-compose-upstream-model': model.wireModel }
    : {};
