import { loadConfig } from './config.js';
import { ConfigError } from './config-error.js';
import { DatabaseTooNewError } from './db/database.js';
import { buildApp } from './app.js';
import { nativeModuleProblem } from './db/native-module-check.js';

async function main(): Promise<void> {
  // Before the configuration is read: loading it may create files in the data dir.
  const problem = nativeModuleProblem();
  if (problem !== null) {
    console.error(`latchkey: ${problem}`);
    process.exit(1);
  }
  let config;
  try {
    config = loadConfig(process.env);
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
    if (err instanceof ConfigError || err instanceof DatabaseTooNewError) {
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
