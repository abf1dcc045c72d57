/** SSE framing for what the gateway writes to clients. */

export const dataFrame = (payload: unknown): string => `data: ${JSON.stringify(payload)}\n\n`;

export const eventFrame = (event: string, payload: unknown): string => `event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`;

export const DONE_FRAME = 'data: [DONE]\n\n';

/** An SSE comment: ignored by clients, keeps idle connections (API Gateway drops them after 30 s) alive. */
export const HEARTBEAT_FRAME = ': keep-alive\n\n';

export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  'x-accel-buffering': 'no',
} as const;
