import { createAdapterResolver, transportOverridesFromEnv } from '../../layers/providers/registry.ts';
import { resolveTextModel } from '../../shared/inference/resolve.ts';
import { textSettingsFromEnv } from '../../shared/inference/services.ts';
import { createWriteClient } from '../../shared/stores/clients.ts';
import { createResponsesStore } from '../../shared/stores/responses.ts';
import { tableNameFromEnv } from '../../layers/core/tables.ts';
import { billing, blobs, credentials, doc, idempotency } from '../shared-services.ts';

/** The text pipeline's services for this instance, shared by the inference and external functions. */
export const textServices = {
  resolveTextModel,
  adapterFor: createAdapterResolver(credentials, transportOverridesFromEnv()),
  responses: createResponsesStore({ doc, writer: createWriteClient(), tableName: tableNameFromEnv('responses'), blobs }),
  idempotency,
  settings: textSettingsFromEnv(),
};

export { billing };
