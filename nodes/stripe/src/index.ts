export { stripeCredential } from './credential.ts';
export { listCharges, listInvoices, createCustomer, createPaymentIntent } from './actions.ts';
export { stripeApiCall } from './api-call.ts';
export { stripeOnEvent, matchesEventType } from './event-trigger.ts';
export { stripeFormEncode } from './form-encode.ts';
