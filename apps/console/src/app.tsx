import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError, onUnauthorized, setCsrfToken } from './api';
import { currentSession, endSession } from './data/auth';
import { SignInPage } from './pages/sign-in';
import { Shell } from './shell';
import { Loading, ErrorState } from './components/states';
import type { SessionInfo } from './session';

type State =
  | { kind: 'checking' }
  | { kind: 'failed'; error: unknown }
  | { kind: 'signed-out'; reason?: string }
  | { kind: 'signed-in'; session: SessionInfo };

/** Signed in or not; the cookie is httpOnly, so `/me` is how the page learns it on load. */
export function App() {
  const [state, setState] = useState<State>({ kind: 'checking' });

  const check = useCallback(() => {
    setState({ kind: 'checking' });
    currentSession().then(
      (me) => {
        setCsrfToken(me.csrfToken);
        setState({ kind: 'signed-in', session: { user: me.user, idleTimeoutSeconds: me.idleTimeoutSeconds } });
      },
      (err: unknown) => {
        if (err instanceof ApiError && (err.status === 401 || err.status === 403)) setState({ kind: 'signed-out' });
        else setState({ kind: 'failed', error: err });
      },
    );
  }, []);

  useEffect(check, [check]);

  useEffect(
    () =>
      onUnauthorized(() => {
        setCsrfToken('');
        setState((s) => (s.kind === 'signed-in' ? { kind: 'signed-out', reason: 'Your session has ended. Sign in again.' } : s));
      }),
    [],
  );

  const signedIn = useCallback((session: SessionInfo, csrfToken: string) => {
    setCsrfToken(csrfToken);
    setState({ kind: 'signed-in', session });
  }, []);

  const signOut = useCallback((reason?: string) => {
    // Ending the server session is best effort: the cookie expires by itself when idle anyway.
    endSession().catch(() => undefined);
    setCsrfToken('');
    setState({ kind: 'signed-out', ...(reason ? { reason } : {}) });
  }, []);

  switch (state.kind) {
    case 'checking':
      return (
        <main class="center-page">
          <Loading what="the Management Tool" />
        </main>
      );
    case 'failed':
      return (
        <main class="center-page">
          <ErrorState error={state.error} onRetry={check} />
        </main>
      );
    case 'signed-out':
      return <SignInPage reason={state.reason} onSignedIn={signedIn} />;
    case 'signed-in':
      return <Shell session={state.session} onSignOut={signOut} />;
  }
}
