export { slackCredential } from './credential.ts';
export { postMessage, listChannels, slackApiCall } from './actions.ts';
export { slackOnEvent } from './event-trigger.ts';
export { verifySlackSignature, signSlackBody } from './webhook-signature.ts';
