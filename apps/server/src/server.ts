import { loadConfig } from './config.js';
import { ConfigError } from './config-error.js';
import { DatabaseTooNewError } from './db/database.js';
import { DataDirInUseError } from './db/data-dir-lock.js';
import { KeyMismatchError } from './crypto/key-fingerprints.js';
import { buildApp } from './app.js';
import { nativeModuleProblem } from './db/native-module-check.js';
import { readTls } from './tls.js';
import type { Server as TlsServer } from 'node:tls';

async function main(): Promise<void> {
  // Before the configuration is read: loading it may create files in the data dir.
  const problem = nativeModuleProblem();
  if (problem !== null) {
    console.error(`latchkey: ${problem}`);
    process.exit(1);
  }
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`latchkey: invalid configuration: ${err.message}`);
      process.exit(78);
    }
    throw err;
  }

  let app;
  try {
    app = await buildApp({ config });
  } catch (err) {
    if (
      err instanceof ConfigError ||
      err instanceof DatabaseTooNewError ||
      err instanceof DataDirInUseError ||
      err instanceof KeyMismatchError
    ) {
      console.error(`latchkey: ${err.message}`);
      process.exit(78);
    }
    throw err;
  }

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        app.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  // SIGHUP (systemctl reload): a renewed certificate takes effect for new connections; open ones keep theirs.
  process.on('SIGHUP', () => {
    if (!config.tls) {
      app.log.info('SIGHUP: nothing to reload (no LATCHKEY_TLS_CERT_FILE)');
      return;
    }
    try {
      (app.server as unknown as TlsServer).setSecureContext(readTls(config.tls));
      app.log.info('TLS certificate reloaded');
      console.log('latchkey: TLS certificate reloaded');
    } catch (err) {
      const reason = err instanceof ConfigError ? err.message : 'unreadable';
      app.log.error({ reason }, 'TLS certificate not reloaded; still serving the previous one');
      console.error(`latchkey: TLS certificate not reloaded, still serving the previous one: ${reason}`);
    }
  });
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  await app.listen({ host: config.host, port: config.port });
  console.log(`Latchkey server listening on ${config.publicUrl} (Management Tool: ${config.publicUrl}/console/)`);
  console.log(`Verdict signing key (Ed25519) ${app.signingKey.publicKey}, SHA-256 fingerprint ${app.signingKey.fingerprint}`);
}

main().catch((err: unknown) => {
  console.error('latchkey: failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
