import { defineNode, FatalError, z } from '@apiq/sdk';
import { openaiClient, providerFailure } from './client.ts';
import { OPENAI_ICON } from './icon.ts';
import { checkPrompt, promptShape, toMessages, usageOf } from './prompt.ts';

/** One chat completion from OpenAI or any OpenAI-compatible server. */
export const chatCompletion = defineNode({
  id: 'openai.chat_completion',
  version: 1,
  title: 'Chat completion (OpenAI-compatible)',
  description:
    'Asks a language model (OpenAI GPT or any OpenAI-compatible server such as Ollama or vLLM) to answer a prompt or continue a conversation: summarise, classify, translate, draft a reply. Returns the answer text, the finish reason and the token usage.',
  keywords: [
    'openai',
    'gpt',
    'llm',
    'ai',
    'chat',
    'completion',
    'prompt',
    'generate',
    'summarize',
    'summarise',
    'classify',
    'translate',
    'write',
    'ollama',
    'chatgpt',
  ],
  category: 'ai',
  icon: OPENAI_ICON,
  credentials: [{ kind: 'openai', required: true, description: 'API key and base URL' }],
  params: z.strictObject(promptShape).superRefine(checkPrompt),
  idempotent: false,
  sideEffects: true,
  async run(ctx) {
    const p = ctx.params;
    const { client, apiKey } = openaiClient(ctx);
    let completion;
    try {
      completion = await client.chat.completions.create(
        {
          model: p.model,
          messages: toMessages(p),
          ...(p.temperature === undefined ? {} : { temperature: p.temperature }),
          ...(p.maxTokens === undefined ? {} : { max_tokens: p.maxTokens }),
        },
        { signal: ctx.signal },
      );
    } catch (err) {
      throw providerFailure(err, `chat completion with ${p.model}`, ctx.signal, apiKey);
    }
    const choice = completion.choices?.[0];
    if (!choice) throw new FatalError(`chat completion with ${p.model}: the server answered without any choice`);
    return {
      output: {
        text: choice.message.content ?? '',
        finishReason: choice.finish_reason ?? null,
        refusal: choice.message.refusal ?? null,
        usage: usageOf(completion),
        model: completion.model ?? p.model,
        id: completion.id ?? null,
      },
    };
  },
});
