/** What a call's runner tells its caller when an answer ends (idempotent replays, freed keys). */

/** Called once with the whole answer when it is finished, e.g. to keep it for idempotent replays. */
export type OnFinished = (result: { statusCode: number; headers: Record<string, string>; body: string }) => Promise<void>;

/** Called when a streamed answer is abandoned by its client before it finished, e.g. to free its idempotency key. */
export type OnAbandoned = () => Promise<void>;
