import type { HandleClientError } from '@sveltejs/kit';
import { describeError } from '$lib/ui/describe-error.ts';

// Errors thrown while loading a page end on +error.svelte with words a person understands; the
// original goes to the console for whoever debugs it.
export const handleError: HandleClientError = ({ error, status, message }) => {
  if (status === 404) return { message: 'This page does not exist.' };
  console.error(error);
  const described = describeError(error);
  return { message: described.message || message };
};
