import type { Caller } from '../auth/caller.ts';
import type { Measured } from '../pricing/index.ts';
import type { Outcome, Payment, Settled } from './types.ts';

/** A call owes what it measured; one that measured nothing owes nothing, and its hold is released. */
export const outcomeOf = (measured: readonly Measured[]): Outcome => (measured.length > 0 ? { kind: 'served', measured } : { kind: 'failed' });

/** What one way of paying does with its hold (a key's reservation, an x402 authorization). */
export interface Hold {
  readonly caller: Caller;
  /** The output cap the hold covers when it is below the quote's (x402 `exact` at the default cap). */
  readonly outputCap?: number;
  /** Charges what was measured. A throw leaves the hold held, so that a later release frees it. */
  settle(measured: readonly Measured[]): Promise<Settled>;
  /** Gives the whole hold back. Called at most once, and never once a settle has landed. */
  release(): Promise<void>;
}

/**
 * One hold's lifecycle, the same for every way of paying: held → settled | released, each at most once.
 * A failed outcome releases; finalizing or releasing a hold that has ended does nothing (a replay's release
 * after the call settled, a hang-up's settle after the stream settled). A settle that throws goes back to held:
 * the money must not stay locked, and release is then still possible (the ledgers apply settle and release
 * once per hold, so a release after a settle that did land is a no-op there too).
 */
export const heldPayment = (hold: Hold): Payment => {
  let state: 'held' | 'settling' | 'settled' | 'released' = 'held';
  const release = async (): Promise<void> => {
    if (state !== 'held') return;
    state = 'released';
    await hold.release();
  };
  return {
    caller: hold.caller,
    ...(hold.outputCap === undefined ? {} : { outputCap: hold.outputCap }),
    release,
    finalize: async (outcome: Outcome): Promise<Settled> => {
      if (outcome.kind === 'failed' || state !== 'held') {
        await release();
        return { headers: {} };
      }
      state = 'settling';
      try {
        const settled = await hold.settle(outcome.measured);
        state = 'settled';
        return settled;
      } catch (error) {
        state = 'held';
        throw error;
      }
    },
  };
};
