import { defineCredentialKind, z } from '@apiq/sdk';

/** An API key for OpenAI or any OpenAI-compatible server (Azure OpenAI proxies, Ollama, vLLM, LM Studio…). */
export const openaiCredential = defineCredentialKind({
  id: 'openai',
  title: 'OpenAI (or compatible)',
  description:
    'An API key for OpenAI, or for any server that speaks the OpenAI API (set its base URL, e.g. http://ollama.internal:11434/v1).',
  fields: z.object({
    apiKey: z
      .string()
      .min(1, 'apiKey is required (servers that need none accept any text, e.g. "none")')
      .describe('API key'),
    baseUrl: z
      .url('baseUrl must be a URL such as "https://api.openai.com/v1"')
      .optional()
      .describe('API base URL (optional, default https://api.openai.com/v1)'),
    organization: z.string().optional().describe('Organization id (optional, OpenAI only)'),
  }),
  secret: ['apiKey'],
  auth: { type: 'headers', headers: { Authorization: 'Bearer {apiKey}' } },
  baseUrl: 'https://api.openai.com/v1',
  test: { method: 'GET', path: '/models' },
});
