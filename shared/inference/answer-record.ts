/**
 * The stored record of a Responses call made with `store: true`. A streamed call's record is written in progress
 * alongside the provider call (never on the first-byte path), since its client learns the id from the first
 * event and may read or cancel it from then on; it is claimed once the answer is whole (so that a cancel either
 * wins before the claim or is refused after it), and completed with the final response. A non-streamed call's
 * id reaches its client only with the answer: nobody can read or cancel it before, so its record is written once,
 * whole, when it is answered — one DynamoDB write instead of three (each ~1.5 ms of SDK CPU and a round trip),
 * with nothing to claim. Calls that store nothing get a record that does nothing.
 */
import type { CanonicalMessage } from '../../layers/providers/types.ts';
import { describeError, handledLater, logger } from '../../layers/core/observability/index.ts';
import type { StoredStatus } from '../stores/responses.ts';
import type { Completion } from './accumulate.ts';
import { assistantTurn } from './conversation.ts';
import type { TextCall } from './run-text.ts';
import type { TextServices } from './services.ts';

export interface AnswerRecord {
  /** Whether the call is stored. */
  readonly stored: boolean;
  /** Whether it has a record while it generates, so it can be cancelled through it (a stored stream). */
  readonly cancellable: boolean;
  /** Resolves once the in-progress record exists (at once when nothing is stored); rejects as its write did. */
  ready(): Promise<void>;
  /** Whether a cancel was recorded. */
  cancelRequested(): Promise<boolean>;
  /** Claims the outcome: false when a cancel got there first. A record that cannot be read never cancels. */
  claim(): Promise<boolean>;
  /** Writes the final record. A failure is logged, never thrown: the caller still gets the answer. */
  write(completion: Completion, status: StoredStatus, response: Record<string, unknown>): Promise<void>;
}

/** A record that cannot be written after the charge is logged: the caller still gets the answer it paid for. */
export const logRecordFailure = (id: string, requestId?: string) => (error: unknown) => {
  logger.error('response record not written', { responseId: id, ...(requestId ? { requestId } : {}), error: describeError(error) });
  return true;
};

export const answerRecord = (id: string, call: TextCall, services: TextServices): AnswerRecord => {
  const { request, caller, model, history, input, http } = call;
  const stored = request.api === 'responses' && request.store;
  const cancellable = stored && request.stream;
  const createdAt = Math.floor(Date.now() / 1000);
  const began = cancellable ? services.responses.begin(id, caller.id, model.publicId) : undefined;
  began?.catch(handledLater);
  const conversation = (completion: Completion): CanonicalMessage[] => [...history, ...input, assistantTurn(completion)];
  return {
    stored,
    cancellable,
    ready: async () => {
      await began;
    },
    cancelRequested: async () => (await services.responses.status(id)) === 'cancelled',
    claim: async () => {
      if (!cancellable) return true;
      try {
        await began;
        return await services.responses.finish(id);
      } catch (error) {
        // No record to cancel through: nothing can have cancelled it.
        return logRecordFailure(id, http.requestId)(error);
      }
    },
    write: async (completion, status, response) => {
      if (!stored) return;
      const body = { response, inputItems: request.inputItems, conversation: conversation(completion) };
      try {
        if (!cancellable) return await services.responses.put(id, caller.id, model.publicId, createdAt, status, body);
        await began;
        await services.responses.complete(id, status, body);
      } catch (error) {
        logRecordFailure(id, http.requestId)(error);
      }
    },
  };
};
