/**
 * Alibaba Cloud Model Studio (DashScope) in OpenAI-compatible mode. Thinking is switched with
 * `enable_thinking` (bounded by `thinking_budget`, which passes through `extra`), not `reasoning_effort`;
 * thinking output arrives as `reasoning_content`, and thinking calls must be streamed.
 * https://www.alibabacloud.com/help/en/model-studio/deep-thinking
 */
import { bearerAuth, standardChatURL, type OpenAICompatibleProfile, type ReasoningFields } from '../openai-compatible/profile.ts';
import type { ReasoningOptions } from '../types.ts';

/** Models that always think (QwQ, QVQ, `*-thinking`): they answer only streamed. */
const isThinkingOnlyModel = (model: string): boolean => /(?:^|[-/])(?:qwq|qvq)|thinking/i.test(model);

const reasoningFields = (reasoning: ReasoningOptions): ReasoningFields => {
  const off = reasoning.effort === 'none' || reasoning.effort === 'minimal';
  return {
    fields: { enable_thinking: !off },
    warnings: off || reasoning.effort === 'medium' ? [] : [`alibaba has no reasoning effort levels; "${reasoning.effort}" turned thinking on (thinking_budget bounds it).`],
  };
};

export const alibabaProfile: OpenAICompatibleProfile = {
  provider: 'alibaba',
  defaultBaseURL: 'https://dashscope-intl.aliyuncs.com/compatible-mode/v1',
  chatCompletionsURL: standardChatURL,
  authHeaders: bearerAuth,
  quirks: () => ({}),
  supports: { audioInput: false, fileInput: false, jsonSchema: true, streamUsage: true },
  reasoningFields,
  mustStream: (body) => body['enable_thinking'] === true || isThinkingOnlyModel(String(body['model'])),
};
