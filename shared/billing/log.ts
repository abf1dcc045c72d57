import type { Caller } from '../auth/caller.ts';
import type { HttpRequest } from '../http/request.ts';
import { logFailure } from '../../layers/core/observability/index.ts';

/**
 * A hold that could not be released or settled is never swallowed: it is logged with the request id and the
 * payer, so the operator can reconcile it (the hold itself frees at its deadline, see shared/keys).
 */
export const logMoneyFailure = (http: Pick<HttpRequest, 'requestId'>, caller: Caller, action: 'release' | 'settle') =>
  logFailure(`payment ${action} failed`, { event: `payment_${action}_failed`, requestId: http.requestId, payer: caller.id });
