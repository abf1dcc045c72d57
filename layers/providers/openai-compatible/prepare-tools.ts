/** Canonical tools and tool choice → Chat Completions `tools` / `tool_choice`. */
import type { FunctionTool, ToolChoice } from '../types.ts';
import type { ChatTool, ChatToolChoice } from './chat-request-schema.ts';

export interface PreparedTools {
  readonly tools?: ChatTool[];
  readonly toolChoice?: ChatToolChoice;
  readonly warnings: readonly string[];
}

export const prepareTools = (tools: readonly FunctionTool[] | undefined, toolChoice: ToolChoice | undefined): PreparedTools => {
  if (tools === undefined || tools.length === 0) {
    // Providers reject tool_choice without tools, so it is not sent.
    return { warnings: toolChoice !== undefined && toolChoice !== 'none' ? ['tool_choice was ignored: no tools were given.'] : [] };
  }
  const chatTools: ChatTool[] = tools.map((tool) => ({
    type: 'function',
    function: {
      name: tool.name,
      ...(tool.description !== undefined ? { description: tool.description } : {}),
      parameters: tool.parameters,
      ...(tool.strict !== undefined ? { strict: tool.strict } : {}),
    },
  }));
  if (toolChoice === undefined) return { tools: chatTools, warnings: [] };
  const chatChoice: ChatToolChoice = typeof toolChoice === 'string' ? toolChoice : { type: 'function', function: { name: toolChoice.name } };
  return { tools: chatTools, toolChoice: chatChoice, warnings: [] };
};
