import { defineNode, FatalError, RetryableError, z, type Json } from '@apiq/sdk';
import { openaiClient, providerFailure } from './client.ts';
import { OPENAI_ICON } from './icon.ts';
import { checkPrompt, promptShape, toMessages, usageOf } from './prompt.ts';

/** The answer schema as zod, or the reason it cannot be used. */
function answerSchema(schema: Record<string, unknown>): z.ZodType | string {
  try {
    return z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0]);
  } catch (err) {
    return (err as Error).message;
  }
}

/** Chat completion whose answer must be JSON following a JSON Schema, checked before it is passed on. */
export const structuredOutput = defineNode({
  id: 'openai.structured_output',
  version: 1,
  title: 'Structured output as JSON (OpenAI-compatible)',
  description:
    'Asks a language model (OpenAI or compatible) for an answer as JSON that follows a JSON Schema you give — extract fields from text, classify into categories, fill a form — and checks the answer against the schema before passing it on as data.',
  keywords: [
    'openai',
    'gpt',
    'llm',
    'ai',
    'json',
    'schema',
    'structured',
    'extract',
    'extraction',
    'parse',
    'classify',
    'fields',
    'entities',
    'function',
  ],
  category: 'ai',
  icon: OPENAI_ICON,
  credentials: [{ kind: 'openai', required: true, description: 'API key and base URL' }],
  params: z
    .strictObject({
      ...promptShape,
      schema: z
        .record(z.string(), z.json())
        .describe(
          'JSON Schema of the answer, e.g. {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"], "additionalProperties": false}',
        ),
      schemaName: z
        .string()
        .regex(/^[A-Za-z0-9_-]{1,64}$/, 'schemaName must be 1-64 letters, digits, "_" or "-", e.g. "invoice"')
        .default('answer')
        .describe('A name for the schema (sent to the model)'),
      strict: z.boolean().default(true).describe('Ask the server to enforce the schema exactly (OpenAI strict mode)'),
    })
    .superRefine((p, issue) => {
      checkPrompt(p, issue);
      const schema = answerSchema(p.schema);
      if (typeof schema === 'string')
        issue.addIssue({ code: 'custom', path: ['schema'], message: `schema is not a usable JSON Schema: ${schema}` });
    }),
  idempotent: false,
  sideEffects: true,
  async run(ctx) {
    const p = ctx.params;
    const target = `structured output with ${p.model}`;
    const schema = answerSchema(p.schema);
    if (typeof schema === 'string') throw new FatalError(`${target}: schema is not a usable JSON Schema: ${schema}`);
    const { client, apiKey } = openaiClient(ctx);
    let completion;
    try {
      completion = await client.chat.completions.create(
        {
          model: p.model,
          messages: toMessages(p),
          response_format: {
            type: 'json_schema',
            json_schema: { name: p.schemaName, schema: p.schema, strict: p.strict },
          },
          ...(p.temperature === undefined ? {} : { temperature: p.temperature }),
          ...(p.maxTokens === undefined ? {} : { max_tokens: p.maxTokens }),
        },
        { signal: ctx.signal },
      );
    } catch (err) {
      throw providerFailure(err, target, ctx.signal, apiKey);
    }
    const choice = completion.choices?.[0];
    if (!choice) throw new FatalError(`${target}: the server answered without any choice`);
    if (choice.message.refusal) throw new FatalError(`${target}: the model refused: ${choice.message.refusal}`);
    const text = choice.message.content ?? '';
    if (choice.finish_reason === 'length') {
      throw new FatalError(
        `${target}: the answer was cut off at the token limit (finish reason "length"); raise maxTokens or shorten the prompt`,
        { details: { answer: text.slice(0, 2000) } },
      );
    }
    let data: Json;
    try {
      data = JSON.parse(stripFence(text)) as Json;
    } catch {
      // A model can answer differently next time: the step's retry policy may try again.
      throw new RetryableError(`${target}: the model's answer is not JSON: ${snippet(text)}`, {
        details: { answer: text.slice(0, 2000) },
      });
    }
    const checked = schema.safeParse(data);
    if (!checked.success) {
      const problems = checked.error.issues.map((i) => `${['$', ...i.path].join('.')}: ${i.message}`);
      throw new RetryableError(`${target}: the model's answer does not follow the schema: ${problems.join('; ')}`, {
        details: { answer: data, problems },
      });
    }
    return {
      output: {
        data,
        text,
        finishReason: choice.finish_reason ?? null,
        usage: usageOf(completion),
        model: completion.model ?? p.model,
        id: completion.id ?? null,
      },
    };
  },
});

/** Some compatible servers wrap JSON in a Markdown code fence. */
function stripFence(text: string): string {
  const m = /^\s*```(?:json)?\s*\n([\s\S]*?)\n?```\s*$/.exec(text);
  return m ? m[1]! : text;
}

function snippet(text: string): string {
  const t = text.trim();
  return t === '' ? '(empty)' : JSON.stringify(t.length > 200 ? `${t.slice(0, 200)}…` : t);
}
