export { trelloCredential } from './credential.ts';
export { createCard } from './create-card.ts';
export { moveCard } from './move-card.ts';
export { addComment } from './add-comment.ts';
export { listCards } from './list-cards.ts';
export { trelloApiCall } from './api-call.ts';
