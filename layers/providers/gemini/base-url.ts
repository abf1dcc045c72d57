/** The Generative Language API's default base URL, in a module of its own so the registries name it without loading the adapter. */
export const GEMINI_BASE_URL = 'https://generativelanguage.googleapis.com/v1beta';
