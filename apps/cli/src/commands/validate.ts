import { validateWorkflow } from '@apiq/graph';
import { loadCatalog } from '../context.ts';
import { readJsonFile } from '../read-workflow-file.ts';

/** `apiq validate flow.json`: exit 0 when valid, 1 with one line per problem otherwise. */
export async function validateCommand(file: string, opts: { json?: boolean }): Promise<number> {
  const graph = await readJsonFile(file);
  const result = validateWorkflow(graph, await loadCatalog());
  if (opts.json) {
    process.stdout.write(
      JSON.stringify(result.ok ? { valid: true } : { valid: false, errors: result.errors }, null, 2) + '\n',
    );
    return result.ok ? 0 : 1;
  }
  if (result.ok) {
    process.stdout.write(`${file}: valid (${result.graph.nodes.length} nodes, ${result.graph.edges.length} edges)\n`);
    return 0;
  }
  process.stderr.write(`${file}: ${result.errors.length} problem${result.errors.length === 1 ? '' : 's'}\n`);
  for (const e of result.errors) process.stderr.write(`  ${e.path}: ${e.message}\n`);
  return 1;
}
