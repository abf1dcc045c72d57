/**
 * Wire schemas of what the OpenAI-compatible family answers: complete responses, stream chunks, usage and
 * error bodies. Deliberately lenient (nullish everywhere, unknown keys kept): providers differ in what they
 * omit, and a field the gateway does not read must never fail a response.
 */
// A namespace import lets esbuild drop the parts of zod we do not use (its 40-odd locales among them).
import * as z from 'zod';
import { once } from '../../core/once.ts';

/**
 * Each schema is built on its first use: a zod schema costs far more to construct than to run, these were ~5 ms
 * of every text function's init here, and a call needs one of them (the response or the chunk schema; the
 * error bodies only when the provider fails), so an instance builds only what its calls parse.
 */
export const chatUsageSchema = once(() => z.looseObject({
  prompt_tokens: z.number().nullish(),
  completion_tokens: z.number().nullish(),
  total_tokens: z.number().nullish(),
  prompt_tokens_details: z.looseObject({ cached_tokens: z.number().nullish() }).nullish(),
  completion_tokens_details: z.looseObject({ reasoning_tokens: z.number().nullish() }).nullish(),
}));

export type ChatUsage = z.infer<ReturnType<typeof chatUsageSchema>>;

export const chatResponseSchema = once(() => z.looseObject({
  id: z.string().nullish(),
  created: z.number().nullish(),
  model: z.string().nullish(),
  choices: z.array(
    z.looseObject({
      index: z.number().nullish(),
      message: z.looseObject({
        content: z.string().nullish(),
        reasoning_content: z.string().nullish(),
        reasoning: z.string().nullish(),
        refusal: z.string().nullish(),
        tool_calls: z
          .array(z.looseObject({ id: z.string().nullish(), function: z.looseObject({ name: z.string(), arguments: z.string().nullish() }) }))
          .nullish(),
      }),
      finish_reason: z.string().nullish(),
    }),
  ),
  usage: chatUsageSchema().nullish(),
}));

export type ChatResponse = z.infer<ReturnType<typeof chatResponseSchema>>;

export const chatChunkSchema = once(() => z.looseObject({
  id: z.string().nullish(),
  created: z.number().nullish(),
  model: z.string().nullish(),
  choices: z
    .array(
      z.looseObject({
        index: z.number().nullish(),
        delta: z
          .looseObject({
            content: z.string().nullish(),
            reasoning_content: z.string().nullish(),
            reasoning: z.string().nullish(),
            refusal: z.string().nullish(),
            tool_calls: z
              .array(
                z.looseObject({
                  index: z.number().nullish(),
                  id: z.string().nullish(),
                  function: z.looseObject({ name: z.string().nullish(), arguments: z.string().nullish() }).nullish(),
                }),
              )
              .nullish(),
          })
          .nullish(),
        finish_reason: z.string().nullish(),
      }),
    )
    .nullish(),
  usage: chatUsageSchema().nullish(),
}));

export type ChatChunk = z.infer<ReturnType<typeof chatChunkSchema>>;

/**
 * Every error body shape the family uses: OpenAI/Azure/DashScope/Fireworks `{error:{message,code,type}}`,
 * Hugging Face `{error:"..."}`, Cloudflare's v4 envelope `{errors:[{code,message}]}`, AI/ML API's flat
 * `{message,statusCode}`, and FastAPI-style `{detail}`.
 */
export const errorBodySchemas = once(() => ({
  openai: z.looseObject({
    error: z.looseObject({
      message: z.string().nullish(),
      type: z.string().nullish(),
      code: z.union([z.string(), z.number()]).nullish(),
      param: z.string().nullish(),
      innererror: z.looseObject({ code: z.string().nullish() }).nullish(),
    }),
  }),
  plain: z.looseObject({ error: z.string() }),
  cloudflare: z.looseObject({
    errors: z.array(z.looseObject({ code: z.union([z.string(), z.number()]).nullish(), message: z.string().nullish() })).min(1),
  }),
  flat: z.looseObject({ message: z.string(), statusCode: z.union([z.string(), z.number()]).nullish() }),
  detail: z.looseObject({ detail: z.unknown() }),
}));
