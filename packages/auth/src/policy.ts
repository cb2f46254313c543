import type { Role } from './schema.ts';

/**
 * Everything a caller may do inside a workspace. Every procedure and endpoint names one action;
 * this table is the one place that says which roles may do it.
 */
export const ACTIONS = [
  'workflow.read',
  'workflow.write',
  'workflow.delete',
  'workflow.activate',
  'run.read',
  'run.start',
  'run.control',
  'connection.read',
  'connection.write',
  'template.read',
  'template.write',
  'member.read',
  'member.invite',
  'member.manage',
  'workspace.settings',
  'workspace.delete',
  'audit.read',
] as const;
export type Action = (typeof ACTIONS)[number];

const viewer: Action[] = ['workflow.read', 'run.read', 'connection.read', 'template.read', 'member.read'];
const editor: Action[] = [
  ...viewer,
  'workflow.write',
  'workflow.delete',
  'workflow.activate',
  'run.start',
  'run.control',
  'connection.write',
  'template.write',
];
const admin: Action[] = [...editor, 'member.invite', 'member.manage', 'workspace.settings', 'audit.read'];
const owner: Action[] = [...admin, 'workspace.delete'];

export const POLICY: Record<Role, ReadonlySet<Action>> = {
  viewer: new Set(viewer),
  editor: new Set(editor),
  admin: new Set(admin),
  owner: new Set(owner),
};

/** Whether a role allows an action. */
export function roleAllows(role: Role, action: Action): boolean {
  return POLICY[role].has(action);
}

/**
 * API token scopes. A token acts with its owner's role, narrowed to the actions its scopes cover.
 */
export const SCOPES: Record<string, readonly Action[]> = {
  'workflows:read': ['workflow.read', 'template.read'],
  'workflows:write': ['workflow.read', 'workflow.write', 'workflow.delete', 'workflow.activate', 'template.write'],
  'runs:read': ['run.read'],
  'runs:write': ['run.read', 'run.start', 'run.control'],
  'connections:read': ['connection.read'],
  'connections:write': ['connection.read', 'connection.write'],
  'members:read': ['member.read'],
  admin: [...admin],
};
export type Scope = keyof typeof SCOPES;

export function scopesAllow(scopes: readonly string[], action: Action): boolean {
  return scopes.some((s) => SCOPES[s]?.includes(action));
}

/** Whether `actor` may give or take `role` (only owners manage owners; nobody outranks themselves). */
export function canAssignRole(actor: Role, role: Role): boolean {
  if (actor === 'owner') return true;
  if (actor === 'admin') return role !== 'owner';
  return false;
}
