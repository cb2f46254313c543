export { smtpCredential } from './credential.ts';
export { sendEmail } from './send.ts';
