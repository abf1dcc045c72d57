/**
 * The default base URLs of the speech and vision providers, in a module of their own so the media registry names
 * them without loading the adapters (which import them from here).
 */
export const DEEPGRAM_BASE_URL = 'https://api.deepgram.com';
export const ELEVENLABS_BASE_URL = 'https://api.elevenlabs.io';
export const CARTESIA_BASE_URL = 'https://api.cartesia.ai';
export const ROBOFLOW_BASE_URL = 'https://serverless.roboflow.com';
