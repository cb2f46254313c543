import { createSubscriber } from 'svelte/reactivity';

/**
 * A clock that ticks every 15 seconds while something on screen reads it, so "5 minutes ago"
 * labels stay true without each list starting its own timer.
 *
 * @example
 * import { clock } from '$lib/stores/now.svelte.ts';
 * formatRelativeTime(run.createdAt, clock.now)
 */
class Clock {
  #subscribe = createSubscriber((update) => {
    const timer = setInterval(update, 15_000);
    return () => clearInterval(timer);
  });

  get now(): number {
    this.#subscribe();
    return Date.now();
  }
}

export const clock = new Clock();
