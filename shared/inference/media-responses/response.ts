/**
 * The Responses object of a media call, and its record. Media responses hold typed output items
 * (`image_generation_call`, `output_audio`, `embedding`, `vision_result`, `video_generation_call`) where text
 * responses hold messages; the rest of the object is the text path's.
 */
import { randomBytes } from 'node:crypto';
import type { StoredStatus } from '../../stores/responses.ts';
import type { ResponsesStore } from '../../stores/responses.ts';
import { logRecordFailure } from '../run-text.ts';
import type { MediaResponseRequest } from './request.ts';

/** OpenAI-style item ids: a type prefix and random hex. */
export const newItemId = (prefix: string): string => `${prefix}_${randomBytes(24).toString('hex')}`;

export type MediaResponseStatus = 'in_progress' | 'completed' | 'failed' | 'cancelled';

/** What every object of one response repeats, fixed when it is created. */
export interface MediaResponseBase {
  readonly id: string;
  readonly created_at: number;
  readonly model: string;
  readonly instructions: string | null;
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly modalities: unknown;
  readonly store: boolean;
}

export const mediaResponseBase = (id: string, model: string, request: MediaResponseRequest, body: Readonly<Record<string, unknown>>): MediaResponseBase => ({
  id,
  created_at: Math.floor(Date.now() / 1000),
  model,
  instructions: request.instructions ?? null,
  metadata: request.metadata,
  modalities: body.modalities ?? null,
  store: request.store,
});

export interface MediaResponseParts {
  readonly status: MediaResponseStatus;
  readonly output: readonly Record<string, unknown>[];
  readonly usage?: Record<string, unknown> | null;
  readonly error?: { readonly code: string; readonly message: string } | null;
  /** Fields only some responses have: `job_id` of a video, `receipt` natively. */
  readonly extras?: Readonly<Record<string, unknown>>;
}

export const mediaResponseObject = (base: MediaResponseBase, parts: MediaResponseParts): Record<string, unknown> => ({
  id: base.id,
  object: 'response',
  created_at: base.created_at,
  status: parts.status,
  model: base.model,
  output: parts.output,
  usage: parts.usage ?? null,
  error: parts.error ?? null,
  incomplete_details: null,
  instructions: base.instructions,
  metadata: base.metadata,
  modalities: base.modalities,
  store: base.store,
  previous_response_id: null,
  ...parts.extras,
});

/** The shape an item is announced with (`response.output_item.added`) before it is done. */
export const itemInProgress = (item: Readonly<Record<string, unknown>>): Record<string, unknown> => ({ type: item.type, id: item.id, status: 'in_progress' });

/**
 * Keeps a response for `GET /v1/responses/{id}` once its charge is final (so no record ever describes a call
 * that was not paid for). The charge is not undone by a record that cannot be written: the failure is logged,
 * and the caller still gets the answer it paid for.
 */
export const recordMediaResponse = async (
  responses: ResponsesStore,
  owner: string,
  request: MediaResponseRequest,
  response: Record<string, unknown>,
  status: StoredStatus,
): Promise<void> => {
  if (!request.store) return;
  const id = response.id as string;
  try {
    await responses.begin(id, owner, response.model as string);
    await responses.complete(id, status, { response, inputItems: request.inputItems, conversation: [] });
  } catch (error) {
    logRecordFailure(id)(error);
  }
};
