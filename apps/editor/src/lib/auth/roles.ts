import type { Role } from './types.ts';

/** What each role may do, in a sentence (mirrors the policy table in @apiq/auth). */
export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  owner: 'Owners can do everything, including managing other owners and deleting the workspace.',
  admin:
    'Admins can build and run workflows, manage connections, invite and manage members, change settings and read the audit log.',
  editor: 'Editors can build, run and activate workflows and manage connections and templates.',
  viewer: 'Viewers can see workflows, runs, connections and members, but change nothing.',
};

/**
 * Whether a member with role `actor` may give or take `role` (only owners manage owners; admins
 * manage everyone else; editors and viewers manage nobody) — the rule the server enforces.
 *
 * @example
 * canAssign('admin', 'owner') // false
 */
export function canAssign(actor: Role, role: Role): boolean {
  if (actor === 'owner') return true;
  if (actor === 'admin') return role !== 'owner';
  return false;
}
