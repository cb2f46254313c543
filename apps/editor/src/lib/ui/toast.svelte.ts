import { describeError, formatIssue } from './describe-error.ts';

export type ToastKind = 'success' | 'error' | 'info';

export interface ToastItem {
  id: number;
  kind: ToastKind;
  message: string;
  detail?: string;
  action?: { label: string; run: () => void };
}

export interface ToastOptions {
  detail?: string;
  /** Milliseconds before it closes by itself; 0 keeps it until dismissed. */
  timeout?: number;
  action?: { label: string; run: () => void };
}

const DEFAULT_TIMEOUT: Record<ToastKind, number> = { success: 4000, info: 5000, error: 9000 };

class ToastList {
  items = $state<ToastItem[]>([]);
  private next = 1;
  private timers = new Map<number, ReturnType<typeof setTimeout>>();

  show(kind: ToastKind, message: string, options: ToastOptions = {}): number {
    const id = this.next++;
    const item: ToastItem = { id, kind, message };
    if (options.detail) item.detail = options.detail;
    if (options.action) item.action = options.action;
    // Identical toasts in a row (a retry loop, a double click) show once.
    const same = this.items.find((t) => t.kind === kind && t.message === message && t.detail === item.detail);
    if (same) this.dismiss(same.id);
    this.items = [...this.items.slice(-4), item];
    const timeout = options.timeout ?? DEFAULT_TIMEOUT[kind];
    if (timeout > 0)
      this.timers.set(
        id,
        setTimeout(() => this.dismiss(id), timeout),
      );
    return id;
  }

  dismiss(id: number): void {
    clearTimeout(this.timers.get(id));
    this.timers.delete(id);
    this.items = this.items.filter((t) => t.id !== id);
  }

  /** Keeps a toast open while the pointer or focus is on it. */
  hold(id: number): void {
    clearTimeout(this.timers.get(id));
    this.timers.delete(id);
  }

  release(id: number): void {
    if (!this.items.some((t) => t.id === id) || this.timers.has(id)) return;
    this.timers.set(
      id,
      setTimeout(() => this.dismiss(id), 3000),
    );
  }
}

/** The toasts on screen; rendered by `<Toaster />` in the root layout. */
export const toasts = new ToastList();

/**
 * Shows short notices at the bottom right. `toast.error` also accepts anything thrown and puts it
 * into words with `describeError`.
 *
 * @example
 * toast.success('Workflow renamed');
 * toast.error(err);                                   // a tRPC error, an Error, ...
 * toast.error('Could not copy', { detail: 'The clipboard is blocked by the browser.' });
 * toast.info('Run started', { action: { label: 'Open', run: () => goto(`/runs/${id}`) } });
 */
export const toast = {
  success: (message: string, options?: ToastOptions) => toasts.show('success', message, options),
  info: (message: string, options?: ToastOptions) => toasts.show('info', message, options),
  error(error: unknown, options: ToastOptions = {}): number {
    if (typeof error === 'string') return toasts.show('error', error, options);
    const described = describeError(error);
    const issues = described.issues.slice(0, 3).map(formatIssue).join('\n');
    const detail = options.detail ?? [described.message, issues].filter(Boolean).join('\n');
    return toasts.show('error', described.title, { ...options, detail });
  },
  dismiss: (id: number) => toasts.dismiss(id),
};
