import type { StreamPart } from '../../layers/providers/types.ts';

/** Fields the gateway adds to a final response object once the stream is over (e.g. the receipt). */
export type FinalExtras = Readonly<Record<string, unknown>>;

/** An API's stream serializer: frames that open the stream, frames for each canonical part, frames that close it. */
export interface FrameSerializer {
  start?(): string[];
  part(part: StreamPart): string[];
  end(extras?: FinalExtras): string[];
}
