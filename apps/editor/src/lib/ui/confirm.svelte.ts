export interface ConfirmRequest {
  title: string;
  message?: string;
  confirmLabel?: string;
  cancelLabel?: string;
  danger?: boolean;
}

interface Pending extends ConfirmRequest {
  resolve: (ok: boolean) => void;
}

/** The question on screen, if any; rendered by `<ConfirmHost />` in the root layout. */
export const confirmState = $state<{ current: Pending | undefined }>({ current: undefined });

/**
 * Asks the user to confirm and resolves with their answer (false on Cancel, Esc or backdrop click).
 *
 * @example
 * if (await confirmAction({ title: `Delete “${name}”?`, message: 'This cannot be undone.', confirmLabel: 'Delete', danger: true }))
 *   await trpc.workflows.delete.mutate({ id });
 */
export function confirmAction(request: ConfirmRequest): Promise<boolean> {
  confirmState.current?.resolve(false);
  return new Promise((resolve) => {
    confirmState.current = { ...request, resolve };
  });
}
