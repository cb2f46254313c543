// The editor's shared UI kit. Each component starts with a usage note; the theme is in src/app.css.
export { default as Button } from './Button.svelte';
export { default as IconButton } from './IconButton.svelte';
export { default as Icon } from './Icon.svelte';
export { default as Spinner } from './Spinner.svelte';
export { default as Modal } from './Modal.svelte';
export { default as ConfirmDialog } from './ConfirmDialog.svelte';
export { default as EmptyState } from './EmptyState.svelte';
export { default as StatusBadge } from './StatusBadge.svelte';
export { default as Menu, type MenuItem } from './Menu.svelte';
export { default as Tabs } from './Tabs.svelte';
export { default as Field } from './Field.svelte';
export { default as Switch } from './Switch.svelte';
export { default as PageHeader } from './PageHeader.svelte';
export { toast, type ToastOptions } from './toast.svelte.ts';
export { confirmAction, type ConfirmRequest } from './confirm.svelte.ts';
export { describeError, formatIssue, type DescribedError, type ErrorIssue } from './describe-error.ts';
export { formatDateTime, formatDuration, formatRelativeTime } from './format-time.ts';
export type { IconName } from './icons.ts';
