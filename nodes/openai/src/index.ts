export { openaiCredential } from './credential.ts';
export { chatCompletion } from './chat-completion.ts';
export { structuredOutput } from './structured-output.ts';
export { openaiApiCall } from './api-call.ts';
