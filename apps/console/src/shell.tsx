import { useEffect, useRef } from 'preact/hooks';
import { routes, type AccessRequest } from '@latchkey/contracts';
import { api } from './api';
import type { SessionInfo } from './app';
import { useAsync, useIdleTimeout } from './hooks';
import { PAGES, linkClick, navigate, usePath, BASE, type PageInfo } from './router';
import { AccessRequestsPage } from './pages/access-requests';
import { GeneratePasswordPage } from './pages/generate-password';
import { SessionsPage } from './pages/sessions';
import { ClientsPage } from './pages/clients';
import { SettingsPage } from './pages/settings';
import { UsersPage } from './pages/users';
import { AuditPage } from './pages/audit';
import { OfflineUnlockPage } from './pages/offline-unlock';

/** How often the pending-request badge asks the server. */
const PENDING_POLL_MS = 5000;

export interface PendingFeed {
  requests: AccessRequest[] | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

export function Shell({ session, onSignOut }: { session: SessionInfo; onSignOut: (reason?: string) => void }) {
  const path = usePath();
  const isAdmin = session.user.role === 'admin';
  const visible = PAGES.filter((p) => isAdmin || !p.adminOnly);
  const page: PageInfo | undefined = PAGES.find((p) => p.path === path);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const firstRender = useRef(true);

  const pending = useAsync(() => api(routes.listAccessRequests, { query: { status: 'pending' } }), [], PENDING_POLL_MS);
  const pendingCount = pending.data?.length;
  const feed: PendingFeed = {
    requests: pending.data,
    error: pending.error,
    loading: pending.loading && !pending.data,
    reload: pending.reload,
  };

  const minutes = Math.round(session.idleTimeoutSeconds / 60);
  useIdleTimeout(session.idleTimeoutSeconds, () =>
    onSignOut(
      session.idleTimeoutSeconds >= 120
        ? `You were signed out after ${minutes} minutes without activity.`
        : 'You were signed out after a period without activity.',
    ),
  );

  useEffect(() => {
    if (path === '/' || path === '') navigate(visible[0]?.path ?? '/requests', true);
  }, [path]);

  useEffect(() => {
    document.title = `${page?.title ?? 'Not found'} · Latchkey`;
    // Move focus to the new page's heading so keyboard and screen reader users land on the content.
    if (firstRender.current) firstRender.current = false;
    else headingRef.current?.focus();
  }, [page?.id]);

  let content;
  if (!page) content = <p>This page does not exist. Choose a page in the navigation.</p>;
  else if (page.adminOnly && !isAdmin) content = <p class="notice notice-error">Only administrators can use {page.title}.</p>;
  else {
    switch (page.id) {
      case 'requests':
        content = <AccessRequestsPage pending={feed} />;
        break;
      case 'generate':
        content = <GeneratePasswordPage />;
        break;
      case 'sessions':
        content = <SessionsPage />;
        break;
      case 'clients':
        content = <ClientsPage canChange={isAdmin} />;
        break;
      case 'settings':
        content = <SettingsPage />;
        break;
      case 'users':
        content = <UsersPage self={session.user.login} />;
        break;
      case 'audit':
        content = <AuditPage />;
        break;
      case 'offline':
        content = <OfflineUnlockPage canRotate={isAdmin} />;
        break;
    }
  }

  return (
    <div class="layout">
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <div class="brand">
          <span class="brand-mark" aria-hidden="true" />
          Latchkey
        </div>
        <nav aria-label="Main">
          <ul class="nav">
            {visible.map((p) => (
              <li key={p.id}>
                <a href={BASE + p.path} aria-current={p.id === page?.id ? 'page' : undefined} onClick={(e) => linkClick(e, p.path)}>
                  {p.title}
                  {p.id === 'requests' && pendingCount !== undefined && (
                    <span
                      class={pendingCount > 0 ? 'badge badge-alert' : 'badge'}
                      aria-label={`${pendingCount} pending`}
                      data-testid="pending-badge"
                    >
                      {pendingCount}
                    </span>
                  )}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="account">
          <span class="account-name">
            {session.user.login} <span class="role">{session.user.role}</span>
          </span>
          <button type="button" class="button-secondary" onClick={() => onSignOut('You signed out.')}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" class="content">
        <h1 ref={headingRef} tabIndex={-1}>
          {page?.title ?? 'Not found'}
        </h1>
        {content}
      </main>
    </div>
  );
}
