import { NotImplementedError } from '../../shared/errors.ts';
import { createFamilyHandler } from '../../shared/http/handler.ts';
import { routesOf } from '../../shared/routes.ts';

// Interim: every route of this family answers 501 until its implementation lands.
export const handler = createFamilyHandler(
  'videos',
  Object.fromEntries(routesOf('videos').map((r) => [r.operation, () => { throw new NotImplementedError(`${r.method} ${r.path}`); }])),
);
