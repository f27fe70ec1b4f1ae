import { useServerKey } from '../data/settings';

/**
 * The server's verdict-signing key, read-only: the fingerprint to compare with the line the server
 * printed at start, and the key to pin with the Client installer's /SERVERKEY= switch.
 */
export function ServerKeyCard() {
  const key = useServerKey();
  return (
    <section class="card" aria-labelledby="server-key-title">
      <h2 id="server-key-title">Server signing key</h2>
      {key.error && <p>The server signing key could not be loaded.</p>}
      {key.data && (
        <dl>
          <dt>Fingerprint (SHA-256)</dt>
          <dd>
            <code>{key.data.fingerprint}</code>
          </dd>
          <dt>Key for the Client installer (/SERVERKEY=)</dt>
          <dd>
            <code>{key.data.publicKey}</code>
          </dd>
        </dl>
      )}
      <p class="hint">
        Clients unlock only on answers signed with this {key.data?.algorithm ?? 'Ed25519'} key. Compare the fingerprint with the one the
        server printed when it started.
      </p>
    </section>
  );
}
