import type { PageLoad } from './$types';

// The editor loads its data in the browser (see the root layout): only the id comes from the URL.
export const load: PageLoad = ({ params }) => ({ id: params.id });
