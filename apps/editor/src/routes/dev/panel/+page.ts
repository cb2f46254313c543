// A development page for the node panel (not linked from the navigation, not indexed).
export const ssr = false;
export const prerender = false;
