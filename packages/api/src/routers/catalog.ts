import { procedure, router } from '../trpc.ts';
import { catalogProblems, listCredentialKinds, listNodeTypes } from '../services/catalog.ts';

export const catalogRouter = router({
  /** Every installed node type with its ports, credentials and params JSON Schema (palette, forms). */
  nodes: procedure.query(({ ctx }) => listNodeTypes(ctx.catalog)),
  /** Node packages that failed to load: `{ packageName, nodeId, message }`. */
  problems: procedure.query(({ ctx }) => catalogProblems(ctx.catalog)),
  /** Credential kinds with the JSON Schema of their fields and which fields are secret. */
  credentialKinds: procedure.query(({ ctx }) => listCredentialKinds(ctx.catalog)),
});
