import {
  getModality,
  getModel,
  getModelParams,
  listModalities,
  listModels,
  listOperationModels,
  listOperations,
  parseListModelsQuery,
  parseOperationModelsQuery,
  parseProviderQuery,
  searchModels,
} from '../../shared/catalog/index.ts';
import { createFamilyHandler } from '../../shared/http/handler.ts';
import { readJsonObject } from '../../shared/http/request.ts';
import { json } from '../../shared/http/response.ts';

/** API Gateway cannot put a literal after a greedy segment, so `/v1/models/{model}/params` arrives on `{model+}`. */
const PARAMS_SUFFIX = '/params';

export const handler = createFamilyHandler('catalog', {
  // Rows carry OpenAI's model fields (id, object, created, owned_by) beside the spec's: see catalog/openai-model.ts.
  'models.list': (request) => json(200, listModels(parseListModelsQuery(request.query))),
  'models.listAll': () => json(200, listModels({ all: true })),
  'models.search': (request) => json(200, searchModels(readJsonObject(request, 64 * 1024))),
  'models.get': (request) => {
    const id = request.pathParameters.model!;
    const { provider } = parseProviderQuery(request.query);
    if (id.endsWith(PARAMS_SUFFIX)) return json(200, getModelParams(id.slice(0, -PARAMS_SUFFIX.length), provider));
    return json(200, getModel(id, provider));
  },
  'modalities.list': () => json(200, listModalities()),
  'modalities.get': (request) => json(200, getModality(request.pathParameters.modality!)),
  'operations.list': (request) => json(200, listOperations(request.pathParameters.modality!)),
  'operations.models': (request) =>
    json(200, listOperationModels(request.pathParameters.modality!, request.pathParameters.operation!, parseOperationModelsQuery(request.query))),
});
