import type { SignedIn, WorkspaceSummary } from './types.ts';

export interface SettingsGroup {
  title: string;
  links: { href: string; label: string }[];
}

/**
 * The settings sections a caller sees, grouped: their account, the current workspace (members for
 * everyone; security and the audit log for admins) and the instance (the outbox for its owner).
 * Empty while nobody is signed in: an open instance has only its instance settings.
 *
 * @example
 * settingsSections(me, { id, name: 'Ops', slug: 'ops', role: 'editor' })
 * // [{ title: 'Account', … }, { title: 'Workspace · Ops', links: [Members] }, { title: 'Instance', … }]
 */
export function settingsSections(me: SignedIn | undefined, workspace: WorkspaceSummary | undefined): SettingsGroup[] {
  if (!me) return [];
  const groups: SettingsGroup[] = [
    {
      title: 'Account',
      links: [
        { href: '/settings/account', label: 'Profile and password' },
        { href: '/settings/tokens', label: 'API tokens' },
      ],
    },
  ];
  if (workspace) {
    const admin = workspace.role === 'owner' || workspace.role === 'admin';
    groups.push({
      title: `Workspace · ${workspace.name}`,
      links: [
        { href: '/settings/members', label: 'Members' },
        ...(admin
          ? [
              { href: '/settings/security', label: 'Security' },
              { href: '/settings/audit', label: 'Audit log' },
            ]
          : []),
      ],
    });
  }
  groups.push({
    title: 'Instance',
    links: [
      { href: '/settings', label: 'Planner and retention' },
      ...(me.instanceOwner ? [{ href: '/settings/outbox', label: 'Outbox' }] : []),
    ],
  });
  return groups;
}
