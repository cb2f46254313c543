import { z, type Json } from '@apiq/sdk';
import type OpenAI from 'openai';

const message = z.strictObject({
  role: z.enum(['system', 'developer', 'user', 'assistant']).describe('Who speaks'),
  content: z.string().describe('What they say'),
});

/** Params shared by the chat nodes: the model and either a prompt (with a system message) or messages. */
export const promptShape = {
  model: z.string().min(1, 'model is required, e.g. "gpt-4o-mini"').default('gpt-4o-mini').describe('Model name'),
  system: z.string().optional().describe('System message: instructions for the model (with prompt)'),
  prompt: z.string().min(1, 'prompt must not be empty').optional().describe('The user message'),
  messages: z
    .array(message)
    .min(1, 'messages must have at least one message')
    .optional()
    .describe('The whole conversation instead of prompt, e.g. [{"role": "user", "content": "Hi"}]'),
  temperature: z.number().min(0).max(2).optional().describe('0 = focused and repeatable, up to 2 = more varied'),
  maxTokens: z.number().int().min(1).optional().describe('Upper bound on the tokens of the answer'),
};

type PromptParams = {
  system?: string | undefined;
  prompt?: string | undefined;
  messages?: Array<z.infer<typeof message>> | undefined;
};

/** Exactly one of `prompt` and `messages`; `system` only goes with `prompt`. */
export function checkPrompt(p: PromptParams, issue: z.RefinementCtx): void {
  if ((p.prompt === undefined) === (p.messages === undefined))
    issue.addIssue({
      code: 'custom',
      path: ['prompt'],
      message: 'give either prompt (with an optional system message) or messages, not both or neither',
    });
  if (p.system !== undefined && p.messages !== undefined)
    issue.addIssue({
      code: 'custom',
      path: ['system'],
      message: 'with messages, put the system message first in messages instead of using system',
    });
}

export function toMessages(p: PromptParams): OpenAI.Chat.ChatCompletionMessageParam[] {
  if (p.messages) return p.messages.map((m) => ({ role: m.role, content: m.content }));
  return [...(p.system ? [{ role: 'system' as const, content: p.system }] : []), { role: 'user', content: p.prompt! }];
}

/** The usage block with plain names (null when the server sends none). */
export function usageOf(completion: OpenAI.Chat.ChatCompletion): Json {
  const u = completion.usage;
  if (!u) return null;
  return { promptTokens: u.prompt_tokens, completionTokens: u.completion_tokens, totalTokens: u.total_tokens };
}
