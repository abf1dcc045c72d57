import { NotImplementedError } from '../../shared/errors.ts';
import { createFamilyHandler } from '../../shared/http/handler.ts';
import { routesOf } from '../../shared/routes.ts';

// Interim: every route of this family answers 501 until its implementation lands.
export const handler = createFamilyHandler(
  'inference',
  Object.fromEntries(routesOf('inference').map((r) => [r.operation, () => { throw new NotImplementedError(`${r.method} ${r.path}`); }])),
);
