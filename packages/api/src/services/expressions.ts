import { evaluateExpression, ExpressionError } from '@apiq/graph';
import type { Json } from '@apiq/sdk';

export type PreviewResult =
  | { ok: true; value: Json }
  | { ok: false; error: { code: string; message: string; position: number | null } };

/**
 * Evaluates an expression the way the engine does (JSONata with the engine's time, depth and
 * size limits) over sample data: `$trigger`, `$steps`, `$input`, `$item`, `$index`. A failing
 * expression is a result, not an error: `{ ok: false, error: { code, message, position } }`.
 *
 * @example
 * await previewExpression('$sum($input.items.price)', { input: { items: [{ price: 2 }] } }); // { ok: true, value: 2 }
 */
export async function previewExpression(
  src: string,
  context: { trigger?: unknown; steps?: Record<string, unknown>; input?: unknown; item?: unknown; index?: number },
): Promise<PreviewResult> {
  try {
    const value = await evaluateExpression(src, {
      trigger: context.trigger ?? null,
      input: context.input ?? null,
      steps: context.steps ?? {},
      ...(context.item !== undefined ? { item: context.item } : {}),
      ...(context.index !== undefined ? { index: context.index } : {}),
      run: { id: 'preview', workflowId: 'preview' },
    });
    return { ok: true, value };
  } catch (err) {
    if (err instanceof ExpressionError)
      return { ok: false, error: { code: err.code, message: err.message, position: err.position ?? null } };
    return { ok: false, error: { code: 'evaluation', message: (err as Error).message, position: null } };
  }
}
