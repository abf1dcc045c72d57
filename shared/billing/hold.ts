/**
 * How long a hold (a key reservation, an idempotency claim) may outlive the call it funds: the call's deadline,
 * its family's Lambda timeout plus a minute to settle. Past it the call cannot still be running (its function
 * died between hold and settle), so the hold frees itself when it stands in a live call's way.
 */
export const HOLD_SECONDS = {
  /** Text generations, streamed or not, and media through the Responses API: the 15-minute inference function. */
  text: 16 * 60,
  /** Media routes: the 5-minute media function. */
  media: 6 * 60,
} as const;
