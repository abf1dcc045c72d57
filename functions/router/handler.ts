import { MethodNotAllowedError, NotFoundError } from '../../layers/core/errors.ts';
import { createHttpHandler } from '../../shared/http/handler.ts';
import { FALLBACK_PATH, FAMILIES, ROUTES } from '../../shared/routes.ts';

/**
 * API Gateway sends here whatever no route claims: `ANY /{proxy+}` for unknown paths, and `ANY` on a known
 * resource for a method the table does not list. So the answer is a 404 or a 405, decided by the route table.
 */
const allowedMethods = new Map<string, string[]>();
for (const r of ROUTES) allowedMethods.set(r.path, [...(allowedMethods.get(r.path) ?? []), r.method]);

export const handler = createHttpHandler(async (event) => {
  const allowed = event.resource === FALLBACK_PATH ? undefined : allowedMethods.get(event.resource);
  if (allowed) throw new MethodNotAllowedError(event.httpMethod, event.path, allowed);
  throw new NotFoundError('route_not_found', `Unknown route: ${event.httpMethod} ${event.path}.`);
}, FAMILIES.router.streaming);
