/** Every hand-maintained row, in one list for the build step. */
import { AGGREGATOR_TEXT_MODELS } from './aggregators.ts';
import { ALIBABA_MODELS } from './alibaba.ts';
import { AZURE_MEDIA } from './azure.ts';
import { CLOUDFLARE_MEDIA } from './cloudflare.ts';
import type { CuratedModel } from './curated-model.ts';
import { FIREWORKS_MEDIA } from './fireworks.ts';
import { GOOGLE_MEDIA } from './google.ts';
import { HUGGINGFACE_MEDIA } from './huggingface.ts';
import { OPENAI_MEDIA } from './openai.ts';
import { ROBOFLOW_MODELS } from './roboflow.ts';
import { SPEECH_VENDOR_MODELS } from './speech-vendors.ts';

export const CURATED_MODELS: readonly CuratedModel[] = [
  ...OPENAI_MEDIA,
  ...AZURE_MEDIA,
  ...GOOGLE_MEDIA,
  ...FIREWORKS_MEDIA,
  ...ALIBABA_MODELS,
  ...CLOUDFLARE_MEDIA,
  ...HUGGINGFACE_MEDIA,
  ...SPEECH_VENDOR_MODELS,
  ...ROBOFLOW_MODELS,
  ...AGGREGATOR_TEXT_MODELS,
];
