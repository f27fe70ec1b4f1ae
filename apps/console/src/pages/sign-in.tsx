import type { JSX, Ref } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { signIn, signInMessage } from '../data/auth';
import type { SessionInfo } from '../session';

/** A required input inside its label; `onValue` gets what was typed. */
function SignInField({
  label,
  onValue,
  inputRef,
  ...input
}: Omit<JSX.InputHTMLAttributes<HTMLInputElement>, 'onInput'> & {
  label: string;
  onValue: (value: string) => void;
  inputRef?: Ref<HTMLInputElement>;
}) {
  return (
    <label class="field">
      <span>{label}</span>
      <input ref={inputRef} {...input} onInput={(e) => onValue(e.currentTarget.value)} required />
    </label>
  );
}

export function SignInPage({ reason, onSignedIn }: { reason?: string | undefined; onSignedIn: (s: SessionInfo, csrf: string) => void }) {
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const loginRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    document.title = 'Sign in · Latchkey';
    loginRef.current?.focus();
  }, []);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (!login.trim() || !password) {
      setError('Enter your login name and password.');
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const result = await signIn(login.trim(), password);
      onSignedIn({ user: result.user, idleTimeoutSeconds: result.idleTimeoutSeconds }, result.csrfToken);
    } catch (err) {
      setError(signInMessage(err));
      setPassword('');
      setBusy(false);
    }
  };

  return (
    <main class="center-page">
      <form class="card sign-in" onSubmit={submit} noValidate aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">
          <span class="brand-mark" aria-hidden="true" />
          Latchkey Management Tool
        </h1>
        {reason && !error && (
          <p class="notice notice-info" role="status">
            {reason}
          </p>
        )}
        {error && (
          <p class="notice notice-error" role="alert">
            {error}
          </p>
        )}
        <SignInField label="Login name" name="login" autoComplete="username" value={login} onValue={setLogin} inputRef={loginRef} />
        <SignInField
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          value={password}
          onValue={setPassword}
        />
        <button type="submit" class="button-primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
