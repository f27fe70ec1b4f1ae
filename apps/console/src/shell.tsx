import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { SessionInfo } from './session';
import { useIdleTimeout } from './hooks';
import { usePendingFeed } from './data/access-requests';
import { PAGES, linkClick, navigate, usePath, BASE, type PageInfo } from './router';
import { AccessRequestsPage } from './pages/access-requests';
import { GeneratePasswordPage } from './pages/generate-password';
import { SessionsPage } from './pages/sessions';
import { ClientsPage } from './pages/clients';
import { SettingsPage } from './pages/settings';
import { UsersPage } from './pages/users';
import { AuditPage } from './pages/audit';
import { OfflineUnlockPage } from './pages/offline-unlock';
import { ConfirmDialog } from './components/confirm-dialog';

export function Shell({ session, onSignOut }: { session: SessionInfo; onSignOut: (reason?: string) => void }) {
  const path = usePath();
  const isAdmin = session.user.role === 'admin';
  const visible = PAGES.filter((p) => isAdmin || !p.adminOnly);
  const page: PageInfo | undefined = PAGES.find((p) => p.path === path);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const signOutRef = useRef<HTMLButtonElement>(null);
  const firstRender = useRef(true);
  const [confirmSignOut, setConfirmSignOut] = useState(false);

  // Focus never falls to <body>. Chromium drops focus without an event when the focused control is
  // disabled (while its action runs) or removed (an approved request's row, a deleted user), so the
  // page's changes are watched: a control enabled again gets its focus back; one that is gone passes
  // it to the page's message if there is one, else to the heading.
  useEffect(() => {
    let last: HTMLElement | null = null;
    const onBody = () => !document.activeElement || document.activeElement === document.body;
    const focusPage = () => {
      const message = document.querySelector<HTMLElement>('#main .notice');
      if (message && !message.hasAttribute('tabindex')) message.setAttribute('tabindex', '-1');
      (message ?? headingRef.current)?.focus();
    };
    const restore = () => {
      if (!last || !onBody()) return;
      if (!last.isConnected) {
        last = null;
        focusPage();
      } else if (!last.matches(':disabled')) {
        last.focus();
      }
    };
    const onFocusIn = (event: FocusEvent) => {
      last = event.target instanceof HTMLElement ? event.target : null;
    };
    const onFocusOut = (event: FocusEvent) => {
      const left = event.target as HTMLElement;
      // A person moved focus away on purpose (clicked the page background): leave it.
      setTimeout(() => {
        if (last === left && left.isConnected && !left.matches(':disabled') && onBody()) last = null;
        else restore();
      }, 0);
    };
    const watch = new MutationObserver(restore);
    watch.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['disabled'] });
    document.addEventListener('focusin', onFocusIn);
    document.addEventListener('focusout', onFocusOut);
    return () => {
      watch.disconnect();
      document.removeEventListener('focusin', onFocusIn);
      document.removeEventListener('focusout', onFocusOut);
    };
  }, []);

  const feed = usePendingFeed();
  const pendingCount = feed.total;

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
    const pages: Record<PageInfo['id'], () => JSX.Element> = {
      requests: () => <AccessRequestsPage pending={feed} />,
      generate: () => <GeneratePasswordPage />,
      sessions: () => <SessionsPage />,
      clients: () => <ClientsPage canChange={isAdmin} />,
      settings: () => <SettingsPage />,
      users: () => <UsersPage self={session.user.login} />,
      audit: () => <AuditPage />,
      offline: () => <OfflineUnlockPage />,
    };
    content = pages[page.id]();
  }

  return (
    <div class="layout">
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <div class="brand">
          <span class="brand-mark" aria-hidden="true" />
          <span class="brand-name">Latchkey</span>
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
          <button ref={signOutRef} type="button" class="button-secondary" aria-haspopup="dialog" onClick={() => setConfirmSignOut(true)}>
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
      {confirmSignOut && (
        <ConfirmDialog
          id="sign-out-confirm"
          title="Sign out?"
          confirmLabel="Sign out"
          onConfirm={() => onSignOut('You signed out.')}
          onCancel={() => setConfirmSignOut(false)}
          returnFocus={signOutRef.current}
        >
          <p>You are signed in as {session.user.login}. To come back you will need your password.</p>
        </ConfirmDialog>
      )}
    </div>
  );
}
