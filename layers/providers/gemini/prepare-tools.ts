/** Function tools → `functionDeclarations`; tool_choice → `toolConfig.functionCallingConfig`. */
import type { FunctionTool, ToolChoice } from '../types.ts';
import { convertJsonSchema, isEmptyObjectSchema } from './convert-schema.ts';
import type { GeminiFunctionDeclaration, GeminiToolConfig, GenerateContentRequest } from './wire.ts';

export interface ToolsConversion {
  readonly tools: GenerateContentRequest['tools'];
  readonly toolConfig: GeminiToolConfig | undefined;
  readonly warnings: string[];
}

const toolConfigFor = (choice: ToolChoice | undefined): GeminiToolConfig | undefined => {
  if (choice === undefined) return undefined;
  if (choice === 'auto') return { functionCallingConfig: { mode: 'AUTO' } };
  if (choice === 'none') return { functionCallingConfig: { mode: 'NONE' } };
  if (choice === 'required') return { functionCallingConfig: { mode: 'ANY' } };
  return { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [choice.name] } };
};

export const prepareTools = (tools: readonly FunctionTool[] | undefined, choice: ToolChoice | undefined, parallelToolCalls: boolean | undefined): ToolsConversion => {
  if (!tools || tools.length === 0) return { tools: undefined, toolConfig: undefined, warnings: [] };
  const warnings: string[] = [];
  const declarations = tools.map((tool): GeminiFunctionDeclaration => {
    const { schema, dropped } = convertJsonSchema(tool.parameters);
    if (dropped.length > 0) warnings.push(`Gemini does not support ${dropped.join(', ')} in the parameters of tool "${tool.name}"; dropped.`);
    if (tool.strict) warnings.push(`Gemini does not enforce strict schemas; tool "${tool.name}" was sent without strict mode.`);
    return {
      name: tool.name,
      ...(tool.description ? { description: tool.description } : {}),
      ...(isEmptyObjectSchema(schema) ? {} : { parameters: schema }),
    };
  });
  if (parallelToolCalls === false) warnings.push('Gemini cannot disable parallel function calls; parallel_tool_calls was ignored.');
  return { tools: [{ functionDeclarations: declarations }], toolConfig: toolConfigFor(choice), warnings };
};
