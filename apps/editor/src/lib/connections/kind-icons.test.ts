import { describe, it, expect } from 'vitest';
import { kindIcons } from './kind-icons.ts';

describe('connector icons of credential kinds', () => {
  it('takes the icon of a node using the kind, never for generic kinds', () => {
    const icons = kindIcons([
      { icon: 'http', credentials: [{ kind: 'http_bearer' }, { kind: 'api_key_header' }] },
      { icon: null, credentials: [{ kind: 'slack_bot' }] },
      { icon: 'gh', credentials: [{ kind: 'github' }] },
      { icon: 'gh2', credentials: [{ kind: 'github' }] },
      { icon: 'sl', credentials: [{ kind: 'slack_bot' }] },
    ]);
    expect([...icons]).toEqual([
      ['github', 'gh'],
      ['slack_bot', 'sl'],
    ]);
  });
});
