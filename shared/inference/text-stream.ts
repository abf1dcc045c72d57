/**
 * A text stream's serializer for the paid-stream engine (shared/calls/paid-stream.ts): the provider's canonical
 * parts, cut at the output cap the hold was quoted for, folded into the completion and framed as chat chunks or
 * Responses events; closed, once the charge is final, by the API's terminal frames (receipt inside) after the
 * stored record is written.
 */
import type { StreamError, StreamPart } from '../../layers/providers/types.ts';
import type { Settled } from '../billing/types.ts';
import type { StreamSerializer } from '../calls/paid-stream.ts';
import type { StoredStatus } from '../stores/responses.ts';
import { createAccumulator, type Completion } from './accumulate.ts';
import type { AnswerRecord } from './answer-record.ts';
import type { FinalExtras, FrameSerializer } from './frames.ts';
import type { OutputCap } from './output-cap.ts';
import { buildResponseObject, statusOf, type OutputIds, type ResponseBase } from './responses/output.ts';

export interface TextStream {
  readonly serializer: StreamSerializer<StreamPart>;
  /** The answer so far. */
  completion(): Completion;
}

export interface TextStreamParts {
  /** The API's frames (chat chunks or Responses events). */
  readonly frames: FrameSerializer;
  readonly cap: OutputCap;
  readonly record: AnswerRecord;
  readonly base: ResponseBase;
  /** The error a cancelled answer ends with: its record is `cancelled`. */
  readonly cancelled: StreamError;
  /** What the final object carries once the charge is final (the receipt, natively). */
  readonly extras: (settled: Settled) => FinalExtras;
}

const idsOf = (frames: FrameSerializer): OutputIds | undefined => ('ids' in frames ? (frames.ids as OutputIds) : undefined);

export const textStream = ({ frames, cap, record, base, cancelled, extras }: TextStreamParts): TextStream => {
  const acc = createAccumulator();
  let errorPart = false;
  return {
    completion: () => acc.result(),
    serializer: {
      start: () => frames.start?.() ?? [],
      // An array, not a generator: a generator object and its yields per part of every stream for, almost always,
      // the one part the cap passes.
      part(part) {
        errorPart = part.type === 'error';
        const passed = cap.pass(part);
        if (passed.length === 1) {
          acc.add(passed[0]!);
          return frames.part(passed[0]!);
        }
        const out: string[] = [];
        for (const each of passed) {
          acc.add(each);
          out.push(...frames.part(each));
        }
        return out;
      },
      // A provider's error part ends the answer; output past the cap would be neither held nor paid for.
      ended: () => errorPart || cap.reached,
      fail: (error) => {
        const part: StreamPart = { type: 'error', error };
        acc.add(part);
        frames.part(part);
      },
      error: () => acc.result().error,
      close: async (settled) => {
        const completion = acc.result();
        const closing = frames.end(extras(settled));
        // Recorded before the stream says it is over: a client that retrieves on the terminal event (or on the
        // error, where SDKs stop reading) must find the final record, not the in-progress one.
        const status: StoredStatus = completion.error === cancelled ? 'cancelled' : statusOf(completion);
        await record.write(completion, status, buildResponseObject(base, completion, status, idsOf(frames), extras(settled)));
        return closing;
      },
    },
  };
};
