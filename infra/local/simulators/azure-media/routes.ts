/**
 * Azure OpenAI's media routes on the azure flavor of the OpenAI-compatible simulator:
 * `POST /openai/deployments/{deployment}/{embeddings|images/generations|images/edits|audio/speech|audio/transcriptions|audio/translations}?api-version=…`.
 * Azure's own rules (api-version, `api-key`, deployments, its error shape) come first; what the deployed model
 * accepts is then OpenAI's, so the OpenAI media simulator's handlers answer with the deployment's model.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { statusError } from '../openai-compatible/sim-error.ts';
import { Refusal, fail, refuse, type MediaContext } from '../openai-media/context.ts';
import { handleEmbeddings } from '../openai-media/embeddings.ts';
import { applyMediaFaults } from '../openai-media/faults.ts';
import { handleEdit, handleGeneration } from '../openai-media/images.ts';
import type { MediaDeps } from '../openai-media/index.ts';
import { readBytes, readForm } from '../openai-media/io.ts';
import { handleSpeech } from '../openai-media/speech.ts';
import { handleTranscription } from '../openai-media/transcriptions.ts';
import { handleTranslation } from '../openai-media/translations.ts';

const ROUTE = /^\/openai\/deployments\/([^/]+)\/(embeddings|images\/generations|images\/edits|audio\/speech|audio\/transcriptions|audio\/translations)$/;

/**
 * The model behind a deployment. Operators name deployments; the simulator reads the name as the model, with
 * the names Azure's portal suggests for the audio models (`tts`, `tts-hd`, `whisper`).
 */
const DEPLOYED_MODELS: Readonly<Record<string, string>> = { tts: 'tts-1', 'tts-hd': 'tts-1-hd', whisper: 'whisper-1' };

export const deployedModel = (deployment: string): string => DEPLOYED_MODELS[deployment] ?? deployment;

const JSON_OPERATIONS = { embeddings: handleEmbeddings, 'images/generations': handleGeneration, 'audio/speech': handleSpeech } as const;
const FORM_OPERATIONS = { 'images/edits': handleEdit, 'audio/transcriptions': handleTranscription, 'audio/translations': handleTranslation } as const;

export const matchesAzureMedia = (url: URL): boolean => ROUTE.test(url.pathname);

const faultText = (fields: Record<string, unknown>): string => [fields['prompt'], fields['input']].filter((value) => typeof value === 'string').join(' ');

export const handleAzureMedia = async (req: IncomingMessage, res: ServerResponse, url: URL, deps: MediaDeps): Promise<void> => {
  const context: MediaContext = { req, res, flavor: deps.flavor, requestId: deps.requestId, origin: `http://${req.headers.host ?? '127.0.0.1'}`, files: deps.files };
  const [, encodedDeployment = '', operation = ''] = ROUTE.exec(url.pathname) ?? [];
  const bytes = await readBytes(req);
  // The flavor's matcher holds Azure's api-version rules (missing → 404 Resource not found, malformed → 400).
  const route = deps.flavor.match(new URL(`/openai/deployments/${encodedDeployment}/chat/completions${url.search}`, 'http://127.0.0.1'));
  if (req.method !== 'POST' || route === undefined) return fail(context, { status: 404, message: 'Resource not found', code: '404' });
  if ('status' in route) return fail(context, route);
  const denied = deps.flavor.authorize(req, deps.apiKey);
  if (denied) return fail(context, denied);
  const deployment = decodeURIComponent(encodedDeployment);
  const missing = deps.flavor.unknownModel(deployment);
  if (missing) return fail(context, missing);
  if (!bytes) return fail(context, { status: 413, message: 'Request body too large.', code: 'RequestEntityTooLarge' });
  const model = deployedModel(deployment);
  try {
    const json = JSON_OPERATIONS[operation as keyof typeof JSON_OPERATIONS];
    if (json) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(bytes.toString('utf8'));
      } catch {
        return refuse('The request body could not be parsed as JSON.');
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return refuse('The request body must be a JSON object.');
      // Azure serves the deployment's model whatever the body names.
      const body = { ...(parsed as Record<string, unknown>), model };
      deps.record(parsed);
      if (await applyMediaFaults(req, res, deps.once, faultText(body), (error) => fail(context, error), deps.flavor.contentFilterError)) return;
      return json(context, body);
    }
    const form = await readForm(bytes, req.headers['content-type'] ?? '');
    if (!form) return refuse('Invalid Content-Type header (expected multipart/form-data), or the multipart body could not be parsed.');
    deps.record({ ...form.fields, files: form.files.map((file) => ({ name: file.name, filename: file.filename, type: file.type, bytes: file.data.length })) });
    if (await applyMediaFaults(req, res, deps.once, faultText(form.fields), (error) => fail(context, error), deps.flavor.contentFilterError)) return;
    return FORM_OPERATIONS[operation as keyof typeof FORM_OPERATIONS](context, { ...form.fields, model }, form.files);
  } catch (error) {
    if (error instanceof Refusal) return fail(context, error.error);
    return fail(context, statusError(500, undefined));
  }
};
