/**
 * OpenAI's reasoning models (o-series, gpt-5 except its chat variants) take `max_completion_tokens` and
 * `reasoning_effort` and reject sampling settings; the others reject `reasoning_effort`.
 * https://platform.openai.com/docs/guides/reasoning
 */
export const isOpenAIReasoningModel = (model: string): boolean => /^(?:o\d|gpt-5)/.test(model) && !/-chat/.test(model);

export const SAMPLING_FIELDS = ['temperature', 'top_p', 'presence_penalty', 'frequency_penalty', 'logprobs', 'top_logprobs', 'logit_bias'] as const;
