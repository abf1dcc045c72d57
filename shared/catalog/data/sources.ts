/** Public pricing pages every curated price cites. */
export const PRICING_PAGES = {
  openai: 'https://platform.openai.com/docs/pricing',
  azure: 'https://azure.microsoft.com/en-us/pricing/details/cognitive-services/openai-service/',
  gemini: 'https://ai.google.dev/gemini-api/docs/pricing',
  vertex: 'https://cloud.google.com/vertex-ai/generative-ai/pricing',
  fireworks: 'https://fireworks.ai/pricing',
  alibaba: 'https://www.alibabacloud.com/help/en/model-studio/models',
  alibabaTextToImage: 'https://www.alibabacloud.com/help/en/model-studio/text-to-image-v2-api-reference',
  alibabaTextToVideo: 'https://www.alibabacloud.com/help/en/model-studio/text-to-video-api-reference',
  cloudflare: 'https://developers.cloudflare.com/workers-ai/platform/pricing/',
  huggingface: 'https://huggingface.co/docs/inference-providers/pricing',
  deepgram: 'https://deepgram.com/pricing',
  elevenlabs: 'https://elevenlabs.io/pricing/api',
  cartesia: 'https://docs.cartesia.ai/pricing',
  roboflow: 'https://docs.roboflow.com/deploy/serverless-hosted-api-v2/pricing',
  aiml: 'https://aimlapi.com/ai-ml-api-pricing',
  asicloud: 'https://docs.cudos.org/docs/asi-cloud/support/faqs',
} as const;
