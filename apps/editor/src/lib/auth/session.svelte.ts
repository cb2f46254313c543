import { WORKSPACE_STORAGE_KEY } from '$lib/trpc.ts';
import { authRequest } from './auth-api.ts';
import type { Me, SignedIn, WorkspaceSummary } from './types.ts';

/** The default workspace (where everything made before accounts existed lives). */
export const DEFAULT_WORKSPACE_ID = '00000000-0000-4000-8000-000000000001';

function storedWorkspace(): string | undefined {
  try {
    return localStorage.getItem(WORKSPACE_STORAGE_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

function storeWorkspace(id: string | undefined): void {
  try {
    if (id) localStorage.setItem(WORKSPACE_STORAGE_KEY, id);
    else localStorage.removeItem(WORKSPACE_STORAGE_KEY);
  } catch {
    // Storage blocked: the API falls back to the default workspace.
  }
}

/**
 * Who is using the app, from `GET /api/auth/me`: loaded once by the root layout, refreshed after
 * signing in or out and after changes to the account or its workspaces.
 *
 * @example
 * await session.load();
 * if (session.signedIn) console.log(session.signedIn.user.email, session.workspace?.role);
 */
class Session {
  me = $state<Me | undefined>();
  private chosen = $state(storedWorkspace());
  private pending: Promise<Me | undefined> | undefined;

  /** The signed-in caller, or undefined (signed out, no accounts yet, not loaded). */
  signedIn = $derived<SignedIn | undefined>(this.me?.user ? (this.me as SignedIn) : undefined);

  /** The workspace the app works in: the switcher's choice when still a member, else the default one, else the first. */
  workspace = $derived.by<WorkspaceSummary | undefined>(() => {
    const mine = this.signedIn?.workspaces ?? [];
    const chosen = this.chosen;
    return mine.find((w) => w.id === chosen) ?? mine.find((w) => w.id === DEFAULT_WORKSPACE_ID) ?? mine[0] ?? undefined;
  });

  /** Loads the caller once (later calls reuse it); `refresh` asks again. Undefined when the server is unreachable. */
  load(fetcher: typeof fetch = fetch): Promise<Me | undefined> {
    if (this.me) return Promise.resolve(this.me);
    return (this.pending ??= this.fetch(fetcher));
  }

  refresh(fetcher: typeof fetch = fetch): Promise<Me | undefined> {
    this.pending = this.fetch(fetcher);
    return this.pending;
  }

  private async fetch(fetcher: typeof fetch): Promise<Me | undefined> {
    try {
      const me = await authRequest<Me>('GET', '/api/auth/me', undefined, fetcher);
      // A workspace chosen by someone else in this browser (or one we left) is not ours: forget it.
      const chosen = storedWorkspace();
      if (me.user && chosen && !me.workspaces.some((w) => w.id === chosen)) {
        storeWorkspace(undefined);
        this.chosen = undefined;
      }
      this.me = me;
      return me;
    } catch {
      return undefined;
    } finally {
      this.pending = undefined;
    }
  }

  /** Works in another workspace from now on: every API call names it. The page reloads its data. */
  switchWorkspace(id: string): void {
    storeWorkspace(id);
    this.chosen = id;
  }

  /** Ends this browser's session and forgets the chosen workspace. */
  async signOut(): Promise<void> {
    await authRequest('POST', '/api/auth/sign-out');
    storeWorkspace(undefined);
    this.chosen = undefined;
    await this.refresh();
  }
}

export const session = new Session();
